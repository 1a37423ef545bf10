# Sourced by fuzz/efficacy.sh and scripts/test.sh: makes `cargo fuzz` available.
#
# ensure_cargo_fuzz: uses cargo-fuzz from PATH, else from the cache directory
# ($MMLAB_CACHE, default ~/.cache/mmlab), else installs the pinned version there (about 30 s;
# needs the crates.io registry). Returns non-zero when it cannot.
CARGO_FUZZ_VERSION=0.13.2

ensure_cargo_fuzz() {
    local root="${MMLAB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmlab}/cargo-fuzz"
    export PATH="$root/bin:$PATH"
    # A failed target probe is cached per rustc, without RUSTC_BOOTSTRAP in the key; do not reuse it.
    export CARGO_CACHE_RUSTC_INFO=0
    if cargo fuzz --version >/dev/null 2>&1; then
        return 0
    fi
    echo "installing cargo-fuzz $CARGO_FUZZ_VERSION into $root" >&2
    cargo install cargo-fuzz --locked --version "$CARGO_FUZZ_VERSION" --root "$root" >&2 || return 1
    cargo fuzz --version >/dev/null 2>&1
}
