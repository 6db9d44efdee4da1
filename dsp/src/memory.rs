//! Buffers the audio thread writes, touched when they are built.
//!
//! A large zeroed allocation (`vec![0.0; n]`) is mapped lazily: its pages
//! are the kernel's shared zero page until first written, and that first
//! write page-faults. For a delay line the first write comes on the audio
//! thread, a page at a time through the first pass. [`zeroed`] writes one
//! sample in every page as it builds the buffer, so those faults happen
//! off the audio thread, whether or not `mlockall` is allowed.

/// Bytes in a page (the smallest on the platforms we run on; touching
/// more often than needed costs nothing that matters at build time).
const PAGE: usize = 4096;

/// `len` zeros, every page already written. Allocates: build it off the
/// audio thread.
pub fn zeroed(len: usize) -> Vec<f32> {
    let mut v = vec![0.0f32; len];
    prefault(&mut v);
    v
}

/// Write every page of `buf` once (its values unchanged), so its first
/// write on the audio thread does not fault.
pub fn prefault(buf: &mut [f32]) {
    let step = PAGE / std::mem::size_of::<f32>();
    for i in (0..buf.len()).step_by(step) {
        let p: *mut f32 = &mut buf[i];
        // SAFETY: `p` points at an element of `buf`, valid and aligned for
        // a read and a write. Volatile, so the compiler cannot drop the
        // store of a value it knows is there (a zeroed allocation's).
        unsafe { std::ptr::write_volatile(p, std::ptr::read_volatile(p)) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Minor page faults of this thread so far (Linux:
    /// /proc/thread-self/stat).
    fn minor_faults() -> Option<u64> {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").ok()?;
        // After the command name in parentheses: state is field 3, minflt 10.
        let rest = &stat[stat.rfind(')')? + 2..];
        rest.split(' ').nth(7)?.parse().ok()
    }

    /// Faults while writing every sample of `buf`.
    fn faults_writing(buf: &mut [f32]) -> u64 {
        let before = minor_faults().unwrap_or(0);
        for (i, x) in buf.iter_mut().enumerate() {
            *x = i as f32;
        }
        std::hint::black_box(&buf);
        minor_faults().unwrap_or(0) - before
    }

    /// `len` zeros from the system allocator's `calloc` (lazily mapped
    /// pages), whatever global allocator the test binary has (a counting
    /// one zeroes by writing, which would touch every page itself).
    struct Lazy(*mut f32, std::alloc::Layout);

    impl Lazy {
        fn new(len: usize) -> Lazy {
            use std::alloc::GlobalAlloc;
            let layout = std::alloc::Layout::array::<f32>(len).expect("a layout");
            // SAFETY: a non-zero size; freed with the same layout in Drop.
            let p = unsafe { std::alloc::System.alloc_zeroed(layout) }.cast::<f32>();
            assert!(!p.is_null());
            Lazy(p, layout)
        }

        fn slice(&mut self) -> &mut [f32] {
            // SAFETY: `self.0` holds `layout.size()` zeroed bytes of f32s.
            unsafe { std::slice::from_raw_parts_mut(self.0, self.1.size() / 4) }
        }
    }

    impl Drop for Lazy {
        fn drop(&mut self) {
            use std::alloc::GlobalAlloc;
            // SAFETY: allocated by System with this layout.
            unsafe { std::alloc::System.dealloc(self.0.cast(), self.1) };
        }
    }

    #[test]
    fn a_prefaulted_buffer_does_not_fault_when_written() {
        if minor_faults().is_none() {
            return; // not Linux
        }
        // 64 MB: 16 384 pages.
        let n = 16 << 20;
        let lazy = faults_writing(Lazy::new(n).slice());
        let mut buf = Lazy::new(n);
        prefault(buf.slice());
        let touched = faults_writing(buf.slice());
        eprintln!("writing 64 MB: {lazy} page faults lazily zeroed, {touched} prefaulted");
        assert!(lazy > 10_000, "the lazy buffer faults page by page: {lazy}");
        assert!(touched < 100, "{touched}");
        assert!(buf.slice()[n - 1] == (n - 1) as f32);
        assert!(zeroed(3).iter().all(|x| *x == 0.0));
    }
}
