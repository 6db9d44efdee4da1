//! The server and client over real UDP sockets on 127.0.0.1.

use std::net::{SocketAddr, UdpSocket};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use chronus_osc::{
    decode_reply, encode_bundle, encode_request, is_loopback, send_command, Incoming, NtpTime,
    OscError, OscServer, Request, When,
};

fn localhost() -> SocketAddr {
    "127.0.0.1:0".parse().unwrap()
}

/// A client socket on 127.0.0.1 that gives up after two seconds.
fn client() -> UdpSocket {
    let socket = UdpSocket::bind(localhost()).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(2)))
        .unwrap();
    socket
}

fn recv_reply(socket: &UdpSocket) -> String {
    let mut buf = [0_u8; 65_536];
    let (len, _) = socket.recv_from(&mut buf).unwrap();
    decode_reply(&buf[..len]).unwrap()
}

/// Waits until `done` holds, for at most five seconds.
fn wait_for(mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(5);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting");
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// A server whose handler answers commands with `ok <line>` and forwards
/// every Incoming to the returned channel.
fn echo_server() -> (OscServer, mpsc::Receiver<Incoming>) {
    let (tx, rx) = mpsc::channel();
    let server = OscServer::spawn(localhost(), move |incoming: Incoming| {
        let reply = incoming.items.iter().find_map(|t| match &t.request {
            Request::Cmd(line) => Some(format!("ok {line}")),
            Request::Status => Some("ok playing".to_string()),
            _ => None,
        });
        let reply = reply.or_else(|| Some(format!("error {} problem(s)", incoming.errors.len())));
        let _ = tx.send(incoming);
        reply
    })
    .unwrap();
    (server, rx)
}

#[test]
fn cmd_round_trip_through_the_handler() {
    let (server, rx) = echo_server();
    let socket = client();
    let before = Instant::now();
    socket
        .send_to(
            &encode_request(&Request::Cmd("tempo 120".into())),
            server.local_addr(),
        )
        .unwrap();
    assert_eq!(recv_reply(&socket), "ok tempo 120");
    let incoming = rx.recv().unwrap();
    assert_eq!(incoming.from, socket.local_addr().unwrap());
    assert_eq!(incoming.items[0].request, Request::Cmd("tempo 120".into()));
    assert!(incoming.received >= before);
    assert!(
        incoming
            .received_ntp
            .secs_after(chronus_osc::ntp_now())
            .abs()
            < 1.0
    );

    socket
        .send_to(&encode_request(&Request::Status), server.local_addr())
        .unwrap();
    assert_eq!(recv_reply(&socket), "ok playing");
    let stats = server.stop();
    assert_eq!((stats.packets, stats.messages, stats.replies), (2, 2, 2));
    assert_eq!(stats.errors(), 0);
}

#[test]
fn bundles_arrive_with_their_times() {
    let (server, rx) = echo_server();
    let socket = client();
    let at = NtpTime::from(std::time::SystemTime::now() + Duration::from_millis(250));
    let packet = encode_bundle(at, &[Request::Tempo(99.0), Request::Status]);
    socket.send_to(&packet, server.local_addr()).unwrap();
    assert_eq!(recv_reply(&socket), "ok playing");
    let incoming = rx.recv().unwrap();
    assert_eq!(incoming.items.len(), 2);
    assert!(incoming.items.iter().all(|t| t.time == When::At(at)));
    let early = incoming.items[0].time.secs_from(incoming.received_ntp);
    assert!(early > 0.1 && early <= 0.25, "{early}");
}

#[test]
fn errors_are_counted_and_garbage_gets_no_reply() {
    let (server, rx) = echo_server();
    let socket = client();
    let to = server.local_addr();
    socket.send_to(b"", to).unwrap();
    socket.send_to(b"\xff\xfe garbage", to).unwrap();
    socket.send_to(b"/nope\0\0\0,\0\0\0", to).unwrap();
    socket
        .send_to(b"/chronus/tempo\0\0,s\0\0x\0\0\0", to)
        .unwrap();
    // Errors with a command in the same bundle: the command is answered.
    let mut bundle = encode_bundle(NtpTime::IMMEDIATELY, &[Request::Cmd("play".into())]);
    let bad = b"/chronus/set\0\0\0\0,\0\0\0";
    bundle.extend((bad.len() as u32).to_be_bytes());
    bundle.extend(bad);
    socket.send_to(&bundle, to).unwrap();
    assert_eq!(recv_reply(&socket), "ok play");
    wait_for(|| server.stats().packets == 5);
    let stats = server.stats();
    assert_eq!(
        (stats.malformed, stats.unknown_address, stats.bad_arguments),
        (2, 1, 2)
    );
    assert_eq!((stats.messages, stats.replies), (1, 1));
    // The handler heard about every packet, errors included.
    let incoming: Vec<Incoming> = rx.try_iter().collect();
    assert_eq!(incoming.len(), 5);
    assert_eq!(incoming.iter().map(|i| i.errors.len()).sum::<usize>(), 5);
    // Nothing else came back: only the one reply.
    socket
        .set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut buf = [0_u8; 1024];
    assert!(socket.recv_from(&mut buf).is_err());
    // And the server still works.
    let reply = send_command(to, "still there?", Duration::from_secs(2)).unwrap();
    assert_eq!(reply, "ok still there?");
}

#[test]
fn a_thousand_garbage_packets_are_survived_and_counted() {
    let (server, _rx) = echo_server();
    let socket = client();
    let mut x: u64 = 42;
    let mut expected = [0_u64; 3];
    for i in 0..1_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = (x % 120) as usize;
        let mut packet: Vec<u8> = (0..len)
            .map(|k| (x >> (k % 8 * 8)) as u8 ^ k as u8)
            .collect();
        if i % 3 == 1 {
            packet.splice(0..0, b"/chronus/set\0\0\0\0".iter().copied());
        }
        for e in chronus_osc::decode(&packet).errors {
            expected[e.kind() as usize] += 1;
        }
        socket.send_to(&packet, server.local_addr()).unwrap();
        if i % 100 == 99 {
            // Stay far below the kernel's receive buffer.
            wait_for(|| server.stats().packets == i + 1);
        }
    }
    wait_for(|| server.stats().packets == 1_000);
    let stats = server.stats();
    assert_eq!(
        [stats.malformed, stats.unknown_address, stats.bad_arguments],
        expected
    );
    assert!(server.is_running());
    let reply = send_command(server.local_addr(), "status", Duration::from_secs(2)).unwrap();
    assert_eq!(reply, "ok status");
}

#[test]
fn send_command_against_the_server() {
    let (server, _rx) = echo_server();
    let reply = send_command(server.local_addr(), "tempo 140", Duration::from_secs(2)).unwrap();
    assert_eq!(reply, "ok tempo 140");
    // An unspecified address means this machine.
    let port = server.local_addr().port();
    let any: SocketAddr = format!("0.0.0.0:{port}").parse().unwrap();
    assert_eq!(
        send_command(any, "x", Duration::from_secs(2)).unwrap(),
        "ok x"
    );
}

#[test]
fn send_command_when_nothing_listens() {
    // Bind then drop a socket to find a port nobody listens on.
    let port = UdpSocket::bind(localhost()).unwrap().local_addr().unwrap();
    let start = Instant::now();
    let err = send_command(port, "status", Duration::from_millis(300)).unwrap_err();
    let took = start.elapsed();
    // Linux reports the closed port at once; elsewhere we time out.
    assert!(
        matches!(err, OscError::NoListener { .. } | OscError::Timeout { .. }),
        "{err}"
    );
    assert!(took < Duration::from_millis(1_000), "{took:?}");
    assert!(err.to_string().contains(&port.to_string()), "{err}");
}

#[test]
fn send_command_times_out_when_nobody_answers() {
    let silent = UdpSocket::bind(localhost()).unwrap();
    let start = Instant::now();
    let err = send_command(
        silent.local_addr().unwrap(),
        "status",
        Duration::from_millis(200),
    )
    .unwrap_err();
    let took = start.elapsed();
    assert!(matches!(err, OscError::Timeout { .. }), "{err}");
    assert!(
        took >= Duration::from_millis(200) && took < Duration::from_millis(600),
        "{took:?}"
    );
    assert_eq!(
        err.to_string(),
        format!(
            "no Chronus session answered at {} within 200 ms (is one running with OSC on that port?)",
            silent.local_addr().unwrap()
        )
    );
}

#[test]
fn stop_and_drop_are_prompt() {
    let mut slowest = Duration::ZERO;
    for _ in 0..5 {
        let (server, _rx) = echo_server();
        let addr = server.local_addr();
        send_command(addr, "hello", Duration::from_secs(2)).unwrap();
        let start = Instant::now();
        let stats = server.stop();
        let took = start.elapsed();
        slowest = slowest.max(took);
        assert!(took < Duration::from_millis(200), "stop took {took:?}");
        assert_eq!(stats.packets, 1);
        // The port is free again.
        drop(UdpSocket::bind(addr).unwrap());
    }
    let (server, _rx) = echo_server();
    let start = Instant::now();
    drop(server);
    assert!(start.elapsed() < Duration::from_millis(200));
    eprintln!("slowest stop: {slowest:?}");
}

#[test]
fn a_panicking_handler_ends_the_thread_but_not_the_caller() {
    let server = OscServer::spawn(localhost(), |_| panic!("handler bug")).unwrap();
    assert!(server.is_running());
    client()
        .send_to(&encode_request(&Request::Status), server.local_addr())
        .unwrap();
    wait_for(|| !server.is_running());
    let start = Instant::now();
    assert_eq!(server.stop().packets, 1);
    assert!(start.elapsed() < Duration::from_millis(200));
}

#[test]
fn ipv6_loopback_works_too() {
    let Ok(server) = OscServer::spawn("[::1]:0".parse().unwrap(), |_| Some("ok v6".into())) else {
        eprintln!("no IPv6 loopback here; skipped");
        return;
    };
    let reply = send_command(server.local_addr(), "status", Duration::from_secs(2)).unwrap();
    assert_eq!(reply, "ok v6");
}

#[test]
fn binding_a_taken_port_is_a_clear_error() {
    let taken = UdpSocket::bind(localhost()).unwrap();
    let addr = taken.local_addr().unwrap();
    let err = OscServer::spawn(addr, |_| None).unwrap_err();
    assert!(matches!(err, OscError::Bind { .. }));
    assert!(err
        .to_string()
        .starts_with(&format!("cannot listen for OSC on {addr}")));
}

#[test]
fn loopback_detection() {
    for a in [
        "127.0.0.1:1",
        "127.1.2.3:1",
        "[::1]:1",
        "[::ffff:127.0.0.1]:1",
    ] {
        assert!(is_loopback(a.parse().unwrap()), "{a}");
    }
    for a in [
        "0.0.0.0:1",
        "[::]:1",
        "192.168.1.2:1",
        "10.0.0.1:1",
        "[fe80::1]:1",
    ] {
        assert!(!is_loopback(a.parse().unwrap()), "{a}");
    }
}
