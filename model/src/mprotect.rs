//! mprotect (mm/mprotect.c `do_mprotect_pkey`, `mprotect_fixup`, `change_protection`,
//! `can_change_pte_writable`).

use crate::errno::Errno;
use crate::machine::Machine;
use crate::mm_types::{Mm, VmFlags};
use crate::mmap::{page_align, prot_to_vm};
use crate::ops::{OpResult, Outcome, PAGE_SIZE, Pid, Prot};
use crate::page_alloc::{PageFlags, ZERO_PFN};

const PROT_SEM: u32 = 0x8;
const PROT_GROWSDOWN: u32 = 0x0100_0000;
const PROT_GROWSUP: u32 = 0x0200_0000;

/// The new vm_flags `mprotect_fixup` gives a VMA, VM_ACCOUNT included.
fn fixup_flags(old: VmFlags, prot: Prot, has_anon_vma: bool, anonymous: bool) -> VmFlags {
    let access = VmFlags::READ | VmFlags::WRITE | VmFlags::EXEC;
    let mut new = prot_to_vm(prot) | (old - access);
    if new.contains(VmFlags::WRITE) {
        let exempt = VmFlags::ACCOUNT | VmFlags::WRITE | VmFlags::SHARED | VmFlags::NORESERVE;
        if !old.intersects(exempt) {
            new |= VmFlags::ACCOUNT;
        }
    } else if old.contains(VmFlags::ACCOUNT) && anonymous && !has_anon_vma {
        new -= VmFlags::ACCOUNT;
    }
    new
}

impl Machine {
    /// mprotect(2).
    pub(crate) fn sys_mprotect(&mut self, pid: Pid, start: u64, len: u64, prot: Prot) -> OpResult {
        self.proc(pid)?;
        let grows = prot.bits() & (PROT_GROWSDOWN | PROT_GROWSUP);
        if grows == PROT_GROWSDOWN | PROT_GROWSUP {
            return Err(Errno::EINVAL);
        }
        let prot = Prot::from_bits_retain(prot.bits() & !grows);
        if !start.is_multiple_of(PAGE_SIZE) {
            return Err(Errno::EINVAL);
        }
        if len == 0 {
            return Ok(Outcome::Done);
        }
        let end = page_align(len).and_then(|l| start.checked_add(l)).ok_or(Errno::ENOMEM)?;
        if prot.bits() & !(Prot::READ | Prot::WRITE | Prot::EXEC).bits() & !PROT_SEM != 0 {
            return Err(Errno::EINVAL);
        }
        if grows != 0 {
            // Only meaningful for VM_GROWSDOWN stacks, which the model does not create.
            return Err(Errno::EINVAL);
        }
        let prot = Prot::from_bits_retain(prot.bits() & !PROT_SEM);
        if self.proc(pid)?.mm.vma_at(start).is_none() {
            return Err(Errno::ENOMEM);
        }
        let mut tmp = start;
        while tmp < end {
            let mm = &mut self.procs.get_mut(&pid).expect("checked pid").mm;
            let Some(v) = mm.vma_at(tmp).cloned() else { return Err(Errno::ENOMEM) };
            let new = fixup_flags(v.flags, prot, v.anon_vma.is_some(), v.is_anonymous());
            let may = VmFlags::from_bits_retain(new.bits() >> 4);
            if (new - may).intersects(VmFlags::READ | VmFlags::WRITE | VmFlags::EXEC) {
                return Err(Errno::EACCES);
            }
            let hi = end.min(v.end);
            let r = mm.modify_flags(tmp, hi, |_| new);
            if r.is_ok() {
                change_protection(&mut self.k.frames, mm, tmp, hi, new);
            }
            self.sync_file_refs(pid);
            r?;
            let was_locked_ro = v.flags & (VmFlags::WRITE | VmFlags::SHARED | VmFlags::LOCKED) == VmFlags::LOCKED;
            if was_locked_ro && new.contains(VmFlags::WRITE) {
                // mprotect_fixup: a locked private VMA turning writable is populated (COW broken).
                self.populate_locked(pid, tmp, hi);
            }
            tmp = hi;
        }
        Ok(Outcome::Done)
    }
}

/// `change_protection`: write-protects PTEs when VM_WRITE goes away, and makes PTEs writable at
/// once where a write would not need a fault (`pte_modify` with the new `vm_page_prot`, then
/// `can_change_pte_writable`).
fn change_protection(frames: &mut crate::page_alloc::Frames, mm: &mut Mm, start: u64, end: u64, flags: VmFlags) {
    let writable = flags.contains(VmFlags::WRITE);
    for (addr, pte) in mm.pt.range(start, end) {
        if pte.is_migration() && pte.writable() && !writable {
            // change_pte_range: a writable migration entry becomes a readable one, so that
            // remove_migration_pte maps the new page read-only.
            mm.pt.set(addr, pte.with_write(false));
            continue;
        }
        if !pte.is_present() {
            continue;
        }
        let new = if !writable {
            pte.with_write(false)
        } else if pte.pfn() == ZERO_PFN {
            pte
        } else if flags.contains(VmFlags::SHARED) {
            // A shared shmem VMA needs no write notification, so its vm_page_prot is writable
            // and pte_modify makes every PTE writable; a shared file VMA is write-notified and
            // only a dirty PTE can skip the fault.
            pte.with_write(frames.frame(pte.pfn()).is_shmem() || pte.dirty())
        } else {
            let f = frames.frame(pte.pfn());
            pte.with_write(f.is_anon() && f.flags.contains(PageFlags::ANON_EXCLUSIVE))
        };
        if new != pte {
            mm.pt.set(addr, new);
        }
    }
}
