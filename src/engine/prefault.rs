//! Queues the audio thread writes, touched when they are built (see
//! [`chronus_dsp::memory`]: a fresh allocation's pages fault on their first
//! write, which must not be the audio thread's).

/// Fill `producer`'s ring with `item()`s and empty it again through
/// `consumer`, so every slot's page has been written. Control thread.
pub fn ring<T>(
    producer: &mut rtrb::Producer<T>,
    consumer: &mut rtrb::Consumer<T>,
    item: impl Fn() -> T,
) {
    while producer.push(item()).is_ok() {}
    while consumer.pop().is_ok() {}
}

/// Fill `v` to its capacity with `item()`s and clear it. Control thread.
pub fn vec<T>(v: &mut Vec<T>, item: impl Fn() -> T) {
    while v.len() < v.capacity() {
        v.push(item());
    }
    v.clear();
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_touched_ring_and_vec_are_empty_and_keep_their_room() {
        let (mut p, mut c) = rtrb::RingBuffer::<u64>::new(1000);
        super::ring(&mut p, &mut c, || 7);
        assert!(c.is_empty());
        assert_eq!(p.slots(), 1000);
        let mut v: Vec<u32> = Vec::with_capacity(333);
        super::vec(&mut v, || 1);
        assert!(v.is_empty() && v.capacity() >= 333);
    }
}
