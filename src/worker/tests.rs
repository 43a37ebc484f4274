use super::*;

/// A call waiting for its turn costs little: the future spawned for it
/// holds the call and the worker's handles, not the SDK's future.
#[tokio::test]
async fn a_queued_call_is_small() {
    let (tx, _rx) = mpsc::unbounded_channel();
    let worker = Worker::new(
        Arc::new(crate::iam::memory::MemoryIam::new("111111111111")),
        tx,
        &Settings::default(),
    );
    let call = Call::ListKeys {
        user: "alice".into(),
        priority: false,
    };
    let size = std::mem::size_of_val(&worker.task(1, call));
    assert!(size <= 1024, "a queued call's task is {size} bytes");
}
