//! Linux errno values returned by modeled syscalls (include/uapi/asm-generic/errno-base.h, errno.h).

use serde::{Deserialize, Serialize};

macro_rules! errnos {
    ($($name:ident = $num:expr, $text:expr;)*) => {
        /// An errno as Linux returns it from a syscall.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
        pub enum Errno { $($name),* }

        impl Errno {
            /// All errnos the model can return.
            pub const ALL: &'static [Errno] = &[$(Errno::$name),*];

            /// The positive errno number (EINVAL = 22).
            pub fn number(self) -> i32 {
                match self { $(Errno::$name => $num),* }
            }

            /// The symbolic name, as in errno.h.
            pub fn name(self) -> &'static str {
                match self { $(Errno::$name => stringify!($name)),* }
            }

            /// strerror(3) text.
            pub fn message(self) -> &'static str {
                match self { $(Errno::$name => $text),* }
            }

            /// Looks an errno up by its symbolic name.
            pub fn from_name(name: &str) -> Option<Errno> {
                match name { $(stringify!($name) => Some(Errno::$name),)* _ => None }
            }

            /// Looks an errno up by its number.
            pub fn from_number(n: i32) -> Option<Errno> {
                Self::ALL.iter().copied().find(|e| e.number() == n)
            }
        }
    };
}

errnos! {
    EPERM = 1, "Operation not permitted";
    ENOENT = 2, "No such file or directory";
    ESRCH = 3, "No such process";
    EBADF = 9, "Bad file descriptor";
    EAGAIN = 11, "Resource temporarily unavailable";
    ENOMEM = 12, "Cannot allocate memory";
    EACCES = 13, "Permission denied";
    EFAULT = 14, "Bad address";
    EBUSY = 16, "Device or resource busy";
    EEXIST = 17, "File exists";
    ENODEV = 19, "No such device";
    EINVAL = 22, "Invalid argument";
    ENFILE = 23, "Too many open files in system";
    EMFILE = 24, "Too many open files";
    EFBIG = 27, "File too large";
    ENOSPC = 28, "No space left on device";
    ESPIPE = 29, "Illegal seek";
    ERANGE = 34, "Numerical result out of range";
    ENAMETOOLONG = 36, "File name too long";
    ENOSYS = 38, "Function not implemented";
    EOVERFLOW = 75, "Value too large for defined data type";
    EOPNOTSUPP = 95, "Operation not supported";
}

impl std::fmt::Display for Errno {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::error::Error for Errno {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_names_round_trip() {
        for &e in Errno::ALL {
            assert_eq!(Errno::from_name(e.name()), Some(e));
            assert_eq!(Errno::from_number(e.number()), Some(e));
        }
        assert_eq!(Errno::EINVAL.number(), 22);
        assert_eq!(Errno::ENOMEM.number(), 12);
        assert_eq!(Errno::EOPNOTSUPP.number(), 95);
    }
}
