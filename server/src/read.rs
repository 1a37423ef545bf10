//! ReadView: one /proc view of a machine, structured (through [`convert`]) and optionally as the
//! text Linux prints (through the model's renderers in `mmlab_model::proc`).

use mmlab_api::v1 as pb;
use mmlab_model::{Errno, Machine, proc};
use pb::read_view_request::View as Req;
use pb::read_view_response::View as Resp;

use crate::convert::{self, Invalid};

/// Most pages or pfns one pagemap or kpage read may cover.
pub const MAX_RANGE: u64 = 65536;

fn range(field: &str, n: u64) -> Result<(), Invalid> {
    if n == 0 || n > MAX_RANGE {
        return Err(Invalid::new(field, format!("{n} is out of range 1..={MAX_RANGE}")));
    }
    Ok(())
}

/// The view (or the errno it fails with) and, when `text`, its Linux text.
pub fn read_view(m: &Machine, view: Option<&Req>, text: bool) -> Result<pb::ReadViewResponse, Invalid> {
    let view = view.ok_or_else(|| Invalid::new("view", "no view selected"))?;
    let r: Result<(Resp, String), Errno> = match view {
        Req::Maps(s) => m.maps(s.pid).map(|v| {
            let t = if text { proc::render_maps(&v) } else { String::new() };
            (Resp::Maps(pb::Maps { entries: v.iter().map(convert::maps_entry_to_proto).collect() }), t)
        }),
        Req::Smaps(s) => m.smaps(s.pid).map(|v| {
            let t = if text { proc::render_smaps(&v) } else { String::new() };
            (Resp::Smaps(pb::Smaps { entries: v.iter().map(convert::smaps_entry_to_proto).collect() }), t)
        }),
        Req::SmapsRollup(s) => m.smaps_rollup(s.pid).map(|v| {
            let t = if text { proc::render_smaps_rollup(&v) } else { String::new() };
            (Resp::SmapsRollup(convert::rollup_to_proto(&v)), t)
        }),
        Req::Status(s) => m.status(s.pid).map(|v| {
            let t = if text { proc::render_status(&v) } else { String::new() };
            (Resp::Status(convert::status_to_proto(&v)), t)
        }),
        Req::Pagemap(s) => {
            range("pagemap.pages", s.pages)?;
            m.pagemap(s.pid, s.addr, s.pages).map(|v| {
                let start = s.addr & !(mmlab_model::PAGE_SIZE - 1);
                let t = if text { proc::render_pagemap(start, &v) } else { String::new() };
                (Resp::Pagemap(convert::pagemap_to_proto(start, &v)), t)
            })
        }
        Req::Meminfo(_) => {
            let v = m.meminfo();
            let t = if text { proc::render_meminfo(&v) } else { String::new() };
            Ok((Resp::Meminfo(convert::meminfo_to_proto(&v)), t))
        }
        Req::NodeMeminfo(s) => m.node_meminfo(s.nid).map(|v| {
            let t = if text { proc::render_node_meminfo(s.nid, &v) } else { String::new() };
            (Resp::Meminfo(convert::meminfo_to_proto(&v)), t)
        }),
        Req::Vmstat(_) => {
            let v = m.vmstat();
            let t = if text { proc::render_vmstat(&v) } else { String::new() };
            Ok((Resp::Vmstat(convert::vmstat_to_proto(&v)), t))
        }
        Req::Kpages(s) => {
            range("kpages.count", s.count)?;
            let pages: Vec<_> = (0..s.count).filter_map(|i| s.pfn.checked_add(i)).map(|p| m.kpage(p)).collect();
            let t = if text { pages.iter().map(|k| proc::render_kpage(k) + "\n").collect() } else { String::new() };
            Ok((Resp::Kpages(pb::Kpages { pages: pages.iter().map(convert::kpage_to_proto).collect() }), t))
        }
        Req::Tasks(_) => {
            let (tasks, stats) = (m.tasks(), m.task_stats());
            let t = if text { proc::render_tasks(&tasks, stats) } else { String::new() };
            Ok((Resp::Tasks(convert::tasks_to_proto(&tasks, stats)), t))
        }
        Req::Peek(s) => m.peek(s.pid, s.addr).map(|value| {
            let t = if text { format!("{value:#x}\n") } else { String::new() };
            (Resp::Peek(pb::PageValue { value }), t)
        }),
    };
    Ok(match r {
        Ok((view, text)) => pb::ReadViewResponse { view: Some(view), text },
        Err(e) => {
            pb::ReadViewResponse { view: Some(Resp::Errno(convert::errno_to_proto(e) as i32)), text: String::new() }
        }
    })
}
