//! The UDP server: one thread that receives packets, decodes them and hands
//! them to the session's handler.

use std::io::ErrorKind as IoKind;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::decode::{decode, Timed};
use crate::encode::encode_reply;
use crate::request::{DecodeError, ErrorKind};
use crate::time::{ntp_now, NtpTime};
use crate::OscError;

/// Size of the buffer each packet is received into: any UDP datagram fits.
pub const RECV_BUFFER_BYTES: usize = 64 * 1024;

/// How long the server thread waits in `recv` before checking whether it
/// should stop (a fallback: [`OscServer::stop`] also wakes it with a packet).
const POLL: Duration = Duration::from_millis(50);

/// One received packet, decoded, as the handler sees it.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// The requests that decoded, in packet order.
    pub items: Vec<Timed>,
    /// What could not be decoded (already counted in [`OscStats`]); the
    /// session may log or count them.
    pub errors: Vec<DecodeError>,
    /// Who sent the packet (replies go there).
    pub from: SocketAddr,
    /// When the packet was received (taken right after `recv` returned).
    pub received: Instant,
    /// The same moment on the wall clock, to compare with bundle time tags:
    /// `timed.time.secs_from(incoming.received_ntp)` is how early the
    /// request arrived (negative: late).
    pub received_ntp: NtpTime,
}

impl Incoming {
    /// Whether the packet asked for a reply (holds a `/chronus/cmd` or
    /// `/chronus/status`).
    pub fn wants_reply(&self) -> bool {
        self.items.iter().any(|t| t.request.wants_reply())
    }
}

/// Counters of what the server has seen since it started.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OscStats {
    /// Packets (UDP datagrams) received.
    pub packets: u64,
    /// Requests decoded and handed to the handler.
    pub messages: u64,
    /// Parts of packets that were not valid OSC.
    pub malformed: u64,
    /// Messages to addresses Chronus does not have.
    pub unknown_address: u64,
    /// Messages to Chronus addresses with wrong arguments.
    pub bad_arguments: u64,
    /// Replies sent.
    pub replies: u64,
    /// Receive or send calls that failed (other than the idle timeout).
    pub io_errors: u64,
}

impl OscStats {
    /// All decode errors together.
    pub fn errors(&self) -> u64 {
        self.malformed + self.unknown_address + self.bad_arguments
    }
}

#[derive(Default)]
struct Counters {
    packets: AtomicU64,
    messages: AtomicU64,
    malformed: AtomicU64,
    unknown_address: AtomicU64,
    bad_arguments: AtomicU64,
    replies: AtomicU64,
    io_errors: AtomicU64,
}

impl Counters {
    fn bump(counter: &AtomicU64, by: u64) {
        counter.fetch_add(by, Ordering::Relaxed);
    }

    fn snapshot(&self) -> OscStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        OscStats {
            packets: get(&self.packets),
            messages: get(&self.messages),
            malformed: get(&self.malformed),
            unknown_address: get(&self.unknown_address),
            bad_arguments: get(&self.bad_arguments),
            replies: get(&self.replies),
            io_errors: get(&self.io_errors),
        }
    }
}

struct Shared {
    stop: AtomicBool,
    counters: Counters,
}

/// A running OSC server: a thread that owns a UDP socket.
///
/// Dropping it stops the thread, like [`OscServer::stop`].
pub struct OscServer {
    local_addr: SocketAddr,
    shared: Arc<Shared>,
    waker: UdpSocket,
    recv_buffer: Option<usize>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for OscServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OscServer")
            .field("local_addr", &self.local_addr)
            .field("stats", &self.stats())
            .finish()
    }
}

impl OscServer {
    /// Binds `bind` and starts the server thread.
    ///
    /// For every packet the thread decodes it and calls `handler` once with
    /// an [`Incoming`], even if nothing in it decoded (so the session hears
    /// about errors). If the handler returns text, it is sent back to the
    /// sender as `/chronus/reply s:text` — unless the packet had errors and
    /// no `/chronus/cmd` or `/chronus/status`: garbage gets no answer.
    ///
    /// Always answer a `/chronus/cmd` (with an error line if need be):
    /// [`send_command`](crate::send_command) waits for a reply until its
    /// timeout.
    ///
    /// The handler runs on the server thread, so a slow handler delays the
    /// packets behind it (the kernel queues them; see
    /// [`OscServer::recv_buffer_bytes`]).
    ///
    /// Bind to `127.0.0.1` unless other machines must reach the session: OSC
    /// has no authentication (see [`is_loopback`]).
    ///
    /// # Errors
    ///
    /// [`OscError::Bind`] if the address cannot be bound (most often: the
    /// port is in use), [`OscError::Io`] if the socket cannot be set up or
    /// the thread cannot be started.
    ///
    /// ```
    /// use chronus_osc::{send_command, OscServer};
    /// use std::time::Duration;
    ///
    /// let server = OscServer::spawn("127.0.0.1:0".parse().unwrap(), |incoming| {
    ///     Some(format!("ok {} request(s)", incoming.items.len()))
    /// })?;
    /// let reply = send_command(server.local_addr(), "status", Duration::from_secs(2))?;
    /// assert_eq!(reply, "ok 1 request(s)");
    /// server.stop();
    /// # Ok::<(), chronus_osc::OscError>(())
    /// ```
    pub fn spawn(
        bind: SocketAddr,
        handler: impl FnMut(Incoming) -> Option<String> + Send + 'static,
    ) -> Result<OscServer, OscError> {
        let socket =
            UdpSocket::bind(bind).map_err(|source| OscError::Bind { addr: bind, source })?;
        let io = |what: &'static str| move |source| OscError::Io { what, source };
        let local_addr = socket
            .local_addr()
            .map_err(io("read the OSC socket's address"))?;
        socket
            .set_read_timeout(Some(POLL))
            .map_err(io("set the OSC socket's read timeout"))?;
        let recv_buffer = crate::sockopt::enlarge_recv_buffer(&socket);
        let waker = socket.try_clone().map_err(io("clone the OSC socket"))?;
        let shared = Arc::new(Shared {
            stop: AtomicBool::new(false),
            counters: Counters::default(),
        });
        let thread_shared = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("chronus-osc".to_string())
            .spawn(move || serve(&socket, &thread_shared, handler))
            .map_err(io("start the OSC thread"))?;
        Ok(OscServer {
            local_addr,
            shared,
            waker,
            recv_buffer,
            thread: Some(thread),
        })
    }

    /// The address the server is bound to (with the real port if `bind` asked
    /// for port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.local_addr
    }

    /// The kernel's receive buffer for the socket, in bytes, as the OS
    /// reports it after the server asked for a large one (`None` where it
    /// cannot be read). Packets that arrive while it is full are dropped by
    /// the kernel and never counted.
    pub fn recv_buffer_bytes(&self) -> Option<usize> {
        self.recv_buffer
    }

    /// The counters so far.
    pub fn stats(&self) -> OscStats {
        self.shared.counters.snapshot()
    }

    /// Whether the server thread is still running (false after
    /// [`OscServer::stop`], or if the handler panicked).
    pub fn is_running(&self) -> bool {
        self.thread.as_ref().is_some_and(|t| !t.is_finished())
    }

    /// Stops the server thread and waits for it, then returns the final
    /// counters. Returns within a few milliseconds unless the handler is
    /// busy; the socket is closed when it returns.
    pub fn stop(mut self) -> OscStats {
        self.shutdown();
        self.stats()
    }

    fn shutdown(&mut self) {
        let Some(thread) = self.thread.take() else {
            return;
        };
        self.shared.stop.store(true, Ordering::Release);
        // Wake the thread from recv at once; the read timeout covers a lost
        // wake-up packet.
        let _ = self.waker.send_to(&[], wake_address(self.local_addr));
        // A panic in the handler has already been reported on stderr.
        let _ = thread.join();
    }
}

impl Drop for OscServer {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Where to send a packet so that a socket bound to `local` receives it.
fn wake_address(local: SocketAddr) -> SocketAddr {
    let ip = match local.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
        IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
        ip => ip,
    };
    SocketAddr::new(ip, local.port())
}

fn serve(socket: &UdpSocket, shared: &Shared, mut handler: impl FnMut(Incoming) -> Option<String>) {
    let counters = &shared.counters;
    let mut buf = vec![0_u8; RECV_BUFFER_BYTES];
    while !shared.stop.load(Ordering::Acquire) {
        let (len, from) = match socket.recv_from(&mut buf) {
            Ok(got) => got,
            Err(e) if matches!(e.kind(), IoKind::WouldBlock | IoKind::TimedOut) => continue,
            Err(e) if e.kind() == IoKind::Interrupted => continue,
            Err(_) => {
                // E.g. an ICMP error reported on Windows; don't spin on it.
                Counters::bump(&counters.io_errors, 1);
                std::thread::sleep(Duration::from_millis(1));
                continue;
            }
        };
        let received = Instant::now();
        let received_ntp = ntp_now();
        if shared.stop.load(Ordering::Acquire) {
            break;
        }
        let packet = buf.get(..len).unwrap_or(&buf[..]);
        let decoded = decode(packet);
        Counters::bump(&counters.packets, 1);
        Counters::bump(&counters.messages, decoded.items.len() as u64);
        for error in &decoded.errors {
            let counter = match error.kind() {
                ErrorKind::Malformed => &counters.malformed,
                ErrorKind::UnknownAddress => &counters.unknown_address,
                ErrorKind::BadArguments => &counters.bad_arguments,
            };
            Counters::bump(counter, 1);
        }
        let incoming = Incoming {
            items: decoded.items,
            errors: decoded.errors,
            from,
            received,
            received_ntp,
        };
        let may_reply = incoming.errors.is_empty() || incoming.wants_reply();
        let Some(text) = handler(incoming) else {
            continue;
        };
        if !may_reply {
            continue;
        }
        match socket.send_to(&encode_reply(&text), from) {
            Ok(_) => Counters::bump(&counters.replies, 1),
            Err(_) => Counters::bump(&counters.io_errors, 1),
        }
    }
}

/// Whether `addr` can only be reached from this machine (`127.0.0.0/8`,
/// `::1`, or `::ffff:127.x.x.x`). Use it to warn when the OSC port is bound
/// to anything else: OSC has no authentication, so anyone who can reach the
/// port can drive the session.
///
/// ```
/// use chronus_osc::is_loopback;
/// assert!(is_loopback("127.0.0.1:9000".parse().unwrap()));
/// assert!(is_loopback("[::1]:9000".parse().unwrap()));
/// assert!(!is_loopback("0.0.0.0:9000".parse().unwrap()));
/// ```
pub fn is_loopback(addr: SocketAddr) -> bool {
    match addr.ip() {
        IpAddr::V4(ip) => ip.is_loopback(),
        IpAddr::V6(ip) => {
            ip.is_loopback() || ip.to_ipv4_mapped().is_some_and(|v4| v4.is_loopback())
        }
    }
}
