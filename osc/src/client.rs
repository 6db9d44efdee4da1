//! The client side: send one command line to a session and wait for its
//! reply (what `chronus send` does).

use std::io::ErrorKind as IoKind;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use crate::encode::{decode_reply, encode_request};
use crate::request::Request;
use crate::server::RECV_BUFFER_BYTES;
use crate::OscError;

/// Sends `line` as `/chronus/cmd` to the session at `to` and returns the
/// text of its `/chronus/reply`.
///
/// Binds an ephemeral port on the loopback interface (or on all interfaces
/// when `to` is another machine) and accepts only packets from `to`; other
/// packets that arrive are ignored. An unspecified `to` (`0.0.0.0`) means
/// this machine.
///
/// # Errors
///
/// [`OscError::Timeout`] if no reply came within `timeout` (no session, or
/// one that is stuck), [`OscError::NoListener`] if the OS reports at once that
/// nothing listens on that port, [`OscError::Io`] if the socket cannot be set
/// up or the packet cannot be sent.
///
/// ```no_run
/// use std::time::Duration;
/// let reply = chronus_osc::send_command(
///     "127.0.0.1:57130".parse().unwrap(),
///     "tempo 120",
///     Duration::from_secs(1),
/// )?;
/// println!("{reply}");
/// # Ok::<(), chronus_osc::OscError>(())
/// ```
pub fn send_command(to: SocketAddr, line: &str, timeout: Duration) -> Result<String, OscError> {
    let to = local_if_unspecified(to);
    let io = |what: &'static str| move |source| OscError::Io { what, source };
    let socket = UdpSocket::bind(SocketAddr::new(bind_ip(to.ip()), 0))
        .map_err(io("bind a local UDP port"))?;
    // Connected: the OS delivers only packets from `to`, and reports a
    // refused port instead of leaving us to time out.
    socket.connect(to).map_err(io("address the session"))?;
    let packet = encode_request(&Request::Cmd(line.to_string()));
    match socket.send(&packet) {
        Ok(_) => {}
        Err(e) if e.kind() == IoKind::ConnectionRefused => return Err(OscError::NoListener { to }),
        Err(source) => {
            return Err(OscError::Io {
                what: "send the command",
                source,
            })
        }
    }
    let deadline = Instant::now() + timeout;
    let mut buf = vec![0_u8; RECV_BUFFER_BYTES];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(OscError::Timeout { to, timeout });
        }
        socket
            .set_read_timeout(Some(left))
            .map_err(io("set the reply timeout"))?;
        match socket.recv(&mut buf) {
            Ok(len) => {
                if let Ok(text) = decode_reply(buf.get(..len).unwrap_or(&buf[..])) {
                    return Ok(text);
                }
            }
            Err(e) if matches!(e.kind(), IoKind::WouldBlock | IoKind::TimedOut) => {}
            Err(e) if e.kind() == IoKind::Interrupted => {}
            Err(e) if e.kind() == IoKind::ConnectionRefused => {
                return Err(OscError::NoListener { to })
            }
            Err(source) => {
                return Err(OscError::Io {
                    what: "wait for the reply",
                    source,
                })
            }
        }
    }
}

fn local_if_unspecified(to: SocketAddr) -> SocketAddr {
    match to.ip() {
        IpAddr::V4(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv4Addr::LOCALHOST.into(), to.port())
        }
        IpAddr::V6(ip) if ip.is_unspecified() => {
            SocketAddr::new(Ipv6Addr::LOCALHOST.into(), to.port())
        }
        _ => to,
    }
}

/// The local address to send from: loopback for a session on this machine,
/// all interfaces for another one, in the same address family.
fn bind_ip(to: IpAddr) -> IpAddr {
    match to {
        IpAddr::V4(ip) if ip.is_loopback() => Ipv4Addr::LOCALHOST.into(),
        IpAddr::V4(_) => Ipv4Addr::UNSPECIFIED.into(),
        IpAddr::V6(ip) if ip.is_loopback() => Ipv6Addr::LOCALHOST.into(),
        IpAddr::V6(_) => Ipv6Addr::UNSPECIFIED.into(),
    }
}
