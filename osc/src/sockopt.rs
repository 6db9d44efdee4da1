//! Asking the OS for a large socket receive buffer, so that a burst of
//! packets waits in the kernel instead of being dropped there.
//!
//! Measured on Linux: every small datagram costs 832 bytes of receive
//! buffer, so the default 208 KiB holds only 256 packets, while 8 MiB holds
//! about 10,000.

use std::net::UdpSocket;

/// What the server asks for. Linux caps it at `net.core.rmem_max` (and then
/// doubles it for its bookkeeping); other systems refuse sizes over their
/// limit, so smaller sizes are tried down to [`SMALLEST_TRY`].
pub(crate) const WANTED_RECV_BUFFER: usize = 8 * 1024 * 1024;

/// Below this the system default is as good as anything we could ask for.
const SMALLEST_TRY: usize = 256 * 1024;

/// Asks for a receive buffer of up to [`WANTED_RECV_BUFFER`] bytes and
/// returns the size the OS reports afterwards (`None` where it cannot be
/// read). Failing to enlarge it is not an error: the default still works,
/// it just absorbs shorter bursts.
#[cfg(unix)]
pub(crate) fn enlarge_recv_buffer(socket: &UdpSocket) -> Option<usize> {
    use std::os::fd::AsRawFd;
    const INT_LEN: libc::socklen_t = std::mem::size_of::<libc::c_int>() as libc::socklen_t;
    let fd = socket.as_raw_fd();
    let mut want = WANTED_RECV_BUFFER;
    while want >= SMALLEST_TRY {
        let value = libc::c_int::try_from(want).unwrap_or(libc::c_int::MAX);
        // SAFETY: `fd` is the open socket owned by `socket`, which outlives
        // the call; the option value points to a live c_int and its exact
        // size is passed as the length.
        let rc = unsafe {
            libc::setsockopt(
                fd,
                libc::SOL_SOCKET,
                libc::SO_RCVBUF,
                (&raw const value).cast(),
                INT_LEN,
            )
        };
        if rc == 0 {
            break;
        }
        want /= 2;
    }
    let mut got: libc::c_int = 0;
    let mut len = INT_LEN;
    // SAFETY: as above; getsockopt writes at most `len` bytes into `got`,
    // a live c_int, and updates `len`, a live socklen_t.
    let rc = unsafe {
        libc::getsockopt(
            fd,
            libc::SOL_SOCKET,
            libc::SO_RCVBUF,
            (&raw mut got).cast(),
            &raw mut len,
        )
    };
    if rc == 0 {
        usize::try_from(got).ok()
    } else {
        None
    }
}

/// Asks for a receive buffer of up to [`WANTED_RECV_BUFFER`] bytes; not
/// available on this platform, so the system default stays.
#[cfg(not(unix))]
pub(crate) fn enlarge_recv_buffer(_socket: &UdpSocket) -> Option<usize> {
    None
}
