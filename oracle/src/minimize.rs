//! Delta debugging (ddmin) over a script's statement lines: drops chunks of lines for as long as
//! the script still shows the same divergence.

/// The smallest script (by lines) found that still satisfies `fails`. Comment and blank lines
/// are dropped first; `fails` must hold for `text`.
pub fn minimize(text: &str, fails: &mut dyn FnMut(&str) -> bool) -> String {
    let mut lines: Vec<&str> =
        text.lines().filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#')).collect();
    let join = |ls: &[&str]| {
        let mut s = ls.join("\n");
        s.push('\n');
        s
    };
    let mut n = 2;
    while lines.len() >= 2 {
        let chunk = lines.len().div_ceil(n);
        let mut reduced = false;
        for start in (0..lines.len()).step_by(chunk) {
            let candidate: Vec<&str> =
                lines.iter().enumerate().filter(|(i, _)| *i < start || *i >= start + chunk).map(|(_, l)| *l).collect();
            if !candidate.is_empty() && fails(&join(&candidate)) {
                lines = candidate;
                n = (n - 1).max(2);
                reduced = true;
                break;
            }
        }
        if !reduced {
            if n >= lines.len() {
                break;
            }
            n = (n * 2).min(lines.len());
        }
    }
    join(&lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_exactly_the_lines_the_failure_needs() {
        let text = "# header\na\nb\nc\nd\ne\nf\ng\nh\n";
        let mut runs = 0;
        let out = minimize(text, &mut |s| {
            runs += 1;
            s.lines().any(|l| l == "c") && s.lines().any(|l| l == "g")
        });
        assert_eq!(out, "c\ng\n");
        assert!(runs < 40, "{runs} runs");
    }

    #[test]
    fn a_single_line_stays() {
        assert_eq!(minimize("x\n", &mut |s| s.contains('x')), "x\n");
    }
}
