//! Buffers kept per thread from one use to the next, so that a hot loop
//! (a record, a file) does not allocate and fault in fresh memory each time.
//! A buffer that grew past a bound is dropped instead of kept: one huge
//! input must not pin its memory for the rest of the run.

use std::cell::Cell;
use std::thread::LocalKey;

/// A growable buffer: its room in bytes, and emptying it.
pub trait Buffer: Default {
    fn room(&self) -> usize;
    fn empty(&mut self);
}

impl Buffer for Vec<u8> {
    fn room(&self) -> usize {
        self.capacity()
    }
    fn empty(&mut self) {
        self.clear();
    }
}

impl Buffer for String {
    fn room(&self) -> usize {
        self.capacity()
    }
    fn empty(&mut self) {
        self.clear();
    }
}

/// This thread's buffer under `key`, empty, with the room it had.
pub fn take<T: Buffer>(key: &'static LocalKey<Cell<T>>) -> T {
    let mut b = key.take();
    b.empty();
    b
}

/// Give `buf` back for the next [`take`], unless it holds more than `max`
/// bytes of room.
pub fn keep<T: Buffer>(key: &'static LocalKey<Cell<T>>, buf: T, max: usize) {
    if buf.room() <= max {
        key.set(buf);
    }
}
