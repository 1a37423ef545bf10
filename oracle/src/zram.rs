//! A zram swap device for scripts whose machine has swap (`machine swap=...`): a new zram device
//! (`/sys/class/zram-control/hot_add`) of the script's swap size, a swap header written by hand
//! (what mkswap writes: version 1, `last_page`, the `SWAPSPACE2` magic), `swapon(2)`; then
//! `swapoff(2)` and `hot_remove` when the value is dropped, whatever happened in between.
//!
//! zram is synchronous (SWP_SYNCHRONOUS_IO), as the model's swap device is, so swap-ins of
//! entries nobody else references skip the swap cache on both sides. Both count the header page
//! out of the swap size (SwapTotal = size - 4 kB).

use std::ffi::CString;
use std::fs;
use std::io::Write;

const ZRAM_CONTROL: &str = "/sys/class/zram-control";
/// `SWAP_FLAG_PREFER`: use the priority given with the flags.
const SWAP_FLAG_PREFER: libc::c_int = 0x8000;
/// The priority of the oracle's swap area (the highest `swapon -p` allows).
const SWAP_PRIORITY: libc::c_int = 32767;
const PAGE: usize = 4096;

/// Why zram swap cannot be set up on this machine, if it cannot (checked before a script runs).
pub fn unavailable() -> Option<String> {
    if !std::path::Path::new(ZRAM_CONTROL).join("hot_add").exists() {
        return Some(format!("needs swap (machine swap=...) and this kernel has no zram ({ZRAM_CONTROL} is missing)"));
    }
    None
}

/// An active zram swap area; swapped off and removed on drop.
pub struct ZramSwap {
    dev: u32,
    swapped_on: bool,
}

impl ZramSwap {
    /// Creates, formats and enables a swap area of `bytes` (a whole number of pages, at least
    /// two: the header and one slot).
    pub fn setup(bytes: u64) -> Result<ZramSwap, String> {
        let pages = bytes / PAGE as u64;
        if pages < 2 || pages > u32::MAX as u64 {
            return Err(format!("swap size {bytes} cannot be a swap area"));
        }
        let id = fs::read_to_string(format!("{ZRAM_CONTROL}/hot_add"))
            .map_err(|e| format!("{ZRAM_CONTROL}/hot_add: {e}"))?;
        let dev = id.trim().parse::<u32>().map_err(|e| format!("{ZRAM_CONTROL}/hot_add gave {id:?}: {e}"))?;
        // From here on, dropping `swap` removes the device again.
        let mut swap = ZramSwap { dev, swapped_on: false };
        write_sys(&format!("/sys/block/zram{dev}/disksize"), &bytes.to_string())?;
        write_header(&swap.path(), pages as u32)?;
        let path = CString::new(swap.path()).map_err(|e| e.to_string())?;
        // SAFETY: path is a valid NUL-terminated string.
        if unsafe { libc::swapon(path.as_ptr(), SWAP_FLAG_PREFER | SWAP_PRIORITY) } != 0 {
            return Err(format!("swapon {}: {}", swap.path(), std::io::Error::last_os_error()));
        }
        swap.swapped_on = true;
        Ok(swap)
    }

    pub fn path(&self) -> String {
        format!("/dev/zram{}", self.dev)
    }
}

impl Drop for ZramSwap {
    fn drop(&mut self) {
        if self.swapped_on
            && let Ok(path) = CString::new(self.path())
        {
            // SAFETY: path is a valid NUL-terminated string.
            if unsafe { libc::swapoff(path.as_ptr()) } != 0 {
                eprintln!("oracle: swapoff {}: {}", self.path(), std::io::Error::last_os_error());
            }
        }
        if let Err(e) = write_sys(&format!("{ZRAM_CONTROL}/hot_remove"), &self.dev.to_string()) {
            eprintln!("oracle: removing zram{}: {e}", self.dev);
        }
    }
}

fn write_sys(path: &str, value: &str) -> Result<(), String> {
    fs::write(path, value).map_err(|e| format!("{path} <- {value}: {e}"))
}

/// The swap header mkswap writes (include/linux/swap.h `union swap_header`): `info.version` 1 and
/// `info.last_page` at byte 1024, no bad pages, `SWAPSPACE2` in the last 10 bytes of the page.
pub fn swap_header(pages: u32) -> Vec<u8> {
    let mut page = vec![0u8; PAGE];
    page[1024..1028].copy_from_slice(&1u32.to_ne_bytes());
    page[1028..1032].copy_from_slice(&(pages - 1).to_ne_bytes());
    page[PAGE - 10..].copy_from_slice(b"SWAPSPACE2");
    page
}

fn write_header(dev: &str, pages: u32) -> Result<(), String> {
    let mut f = fs::OpenOptions::new().write(true).open(dev).map_err(|e| format!("{dev}: {e}"))?;
    f.write_all(&swap_header(pages)).and_then(|_| f.sync_all()).map_err(|e| format!("{dev}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_is_what_mkswap_writes() {
        // mkswap of 64 MiB: 16384 pages, last_page 16383 (0x3fff) at offset 1028.
        let h = swap_header(16384);
        assert_eq!(&h[1024..1036], &[1, 0, 0, 0, 0xff, 0x3f, 0, 0, 0, 0, 0, 0]);
        assert_eq!(&h[4086..], b"SWAPSPACE2");
        assert!(h[..1024].iter().all(|&b| b == 0));
    }
}
