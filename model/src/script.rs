//! The .mms scenario format.
