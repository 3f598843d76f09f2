//! The threads that compute argon2 hashes, each with its own working memory (see
//! `passwords`). When a job arrives it goes to the thread that became idle *last*: that
//! thread's 19 MiB were used most recently, so the CPU cache still holds part of them.
//! Handing jobs round-robin instead made every hash start on memory the other thread had
//! evicted, and a verification took ~20% longer than the same hash repeated on one thread
//! (docs/PERFORMANCE.md). Under load every thread is busy and jobs wait in arrival order.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{SyncSender, sync_channel};
use std::sync::{Arc, Mutex, MutexGuard};

/// Work for one thread, given that thread's memory.
pub type Job<M> = Box<dyn FnOnce(&mut M) + Send>;

pub struct HashingPool<M> {
    state: Arc<Mutex<State<M>>>,
}

struct State<M> {
    /// Jobs no thread was free for, oldest first.
    waiting: VecDeque<Job<M>>,
    /// How to wake each idle thread, the most recently idle last.
    idle: Vec<SyncSender<Job<M>>>,
    closed: bool,
}

impl<M: Default + 'static> HashingPool<M> {
    /// Starts `threads` threads named `argon2-<n>`.
    pub fn start(threads: usize) -> Result<Self, String> {
        let state = Arc::new(Mutex::new(State {
            waiting: VecDeque::new(),
            idle: Vec::new(),
            closed: false,
        }));
        for n in 0..threads.max(1) {
            let state = state.clone();
            std::thread::Builder::new()
                .name(format!("argon2-{n}"))
                .spawn(move || work(&state))
                .map_err(|e| format!("cannot start a hashing thread: {e}"))?;
        }
        Ok(Self { state })
    }

    /// Queues `job` for the most recently idle thread, or for the first to become free.
    pub fn submit(&self, mut job: Job<M>) -> Result<(), String> {
        let mut state = lock(&self.state).ok_or("the hashing threads are gone")?;
        while let Some(thread) = state.idle.pop() {
            match thread.send(job) {
                Ok(()) => return Ok(()),
                // That thread has ended: the next idle one, or the queue, takes the job.
                Err(returned) => job = returned.0,
            }
        }
        state.waiting.push_back(job);
        Ok(())
    }
}

impl<M> Drop for HashingPool<M> {
    /// Idle threads wake to a closed channel and end; busy ones end after their job.
    fn drop(&mut self) {
        if let Some(mut state) = lock(&self.state) {
            state.closed = true;
            state.idle.clear();
        }
    }
}

fn lock<M>(state: &Mutex<State<M>>) -> Option<MutexGuard<'_, State<M>>> {
    state.lock().ok()
}

/// One thread: runs jobs until the pool is dropped. A job that panics is contained, so the
/// thread keeps serving.
fn work<M: Default>(state: &Mutex<State<M>>) {
    let mut memory = M::default();
    loop {
        let job = {
            let Some(mut s) = lock(state) else { return };
            if s.closed {
                return;
            }
            match s.waiting.pop_front() {
                Some(job) => job,
                None => {
                    let (wake, woken) = sync_channel(1);
                    s.idle.push(wake);
                    drop(s);
                    match woken.recv() {
                        Ok(job) => job,
                        Err(_) => return,
                    }
                }
            }
        };
        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| job(&mut memory)));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::mpsc::channel;
    use std::sync::{Arc, Barrier};
    use std::thread::ThreadId;

    use super::*;

    /// Uses per thread, as its memory.
    #[derive(Default)]
    struct Uses(u32);

    fn idle_threads<M>(pool: &HashingPool<M>) -> usize {
        pool.state.lock().unwrap().idle.len()
    }

    fn wait_until_idle<M>(pool: &HashingPool<M>, threads: usize) {
        while idle_threads(pool) < threads {
            std::thread::yield_now();
        }
    }

    fn run(pool: &HashingPool<Uses>) -> (ThreadId, u32) {
        let (tx, rx) = channel();
        pool.submit(Box::new(move |uses: &mut Uses| {
            uses.0 += 1;
            tx.send((std::thread::current().id(), uses.0)).unwrap();
        }))
        .unwrap();
        rx.recv().unwrap()
    }

    #[test]
    fn an_idle_pool_hands_each_job_to_the_thread_used_last() {
        let pool = HashingPool::<Uses>::start(3).unwrap();
        wait_until_idle(&pool, 3);
        let (first, _) = run(&pool);
        for n in 2..=10 {
            wait_until_idle(&pool, 3);
            assert_eq!(run(&pool), (first, n), "the same thread, with its memory");
        }
    }

    #[test]
    fn busy_threads_share_the_work_and_queued_jobs_wait_their_turn() {
        let pool = HashingPool::<Uses>::start(2).unwrap();
        // Two jobs that can only finish together: they must run at the same time.
        let both = Arc::new(Barrier::new(2));
        let (tx, rx) = channel();
        for _ in 0..2 {
            let (both, tx) = (both.clone(), tx.clone());
            pool.submit(Box::new(move |_: &mut Uses| {
                both.wait();
                tx.send(std::thread::current().id()).unwrap();
            }))
            .unwrap();
        }
        let (a, b) = (rx.recv().unwrap(), rx.recv().unwrap());
        assert_ne!(a, b);
        // More jobs than threads: every one runs.
        let (tx, rx) = channel();
        for n in 0..20 {
            let tx = tx.clone();
            pool.submit(Box::new(move |_: &mut Uses| tx.send(n).unwrap()))
                .unwrap();
        }
        let mut done: Vec<i32> = (0..20).map(|_| rx.recv().unwrap()).collect();
        done.sort();
        assert_eq!(done, (0..20).collect::<Vec<_>>());
    }

    #[test]
    fn a_panicking_job_leaves_its_thread_serving() {
        let pool = HashingPool::<Uses>::start(1).unwrap();
        pool.submit(Box::new(|_: &mut Uses| panic!("a job that fails")))
            .unwrap();
        let (_, uses) = run(&pool);
        assert_eq!(uses, 1);
    }
}
