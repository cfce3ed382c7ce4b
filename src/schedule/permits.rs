//! Requests allowed in flight at once, shared by every request of a run,
//! so that a task sent as several requests (parts, votes) counts each of
//! them against K, not only its one slot in the executor. Hand-written: a
//! single-threaded async semaphore is a few lines, and the async runtimes'
//! semaphores need their runtime, which the page does not have.

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;

use futures::channel::oneshot;

/// A pool of `n` permits, handed out first come, first served.
#[derive(Debug)]
pub struct Permits {
    free: Cell<usize>,
    waiting: RefCell<VecDeque<oneshot::Sender<()>>>,
}

/// One request's right to be in flight; returned to the pool when dropped.
#[derive(Debug)]
pub struct Permit<'a>(&'a Permits);

impl Permits {
    /// A pool of `n` permits (at least one).
    pub fn new(n: usize) -> Self {
        Self {
            free: Cell::new(n.max(1)),
            waiting: RefCell::new(VecDeque::new()),
        }
    }

    /// Waits for a permit.
    pub async fn acquire(&self) -> Permit<'_> {
        let free = self.free.get();
        if free > 0 {
            self.free.set(free - 1);
            return Permit(self);
        }
        let (tx, rx) = oneshot::channel();
        self.waiting.borrow_mut().push_back(tx);
        // The sender is only ever used to hand this waiter a permit.
        let _ = rx.await;
        Permit(self)
    }

    /// Permits free now.
    pub fn available(&self) -> usize {
        self.free.get()
    }

    fn release(&self) {
        loop {
            let next = self.waiting.borrow_mut().pop_front();
            match next {
                // Handed on directly; a waiter that went away is skipped.
                Some(tx) => {
                    if tx.send(()).is_ok() {
                        return;
                    }
                }
                None => {
                    self.free.set(self.free.get() + 1);
                    return;
                }
            }
        }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        self.0.release();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::executor::LocalPool;
    use futures::task::LocalSpawnExt;
    use std::rc::Rc;

    #[test]
    fn at_most_n_hold_a_permit_and_waiters_go_in_arrival_order() {
        let permits = Rc::new(Permits::new(2));
        let held = Rc::new(Cell::new(0usize));
        let most = Rc::new(Cell::new(0usize));
        let order = Rc::new(RefCell::new(Vec::new()));
        let gates: Vec<oneshot::Sender<()>> = (0..5)
            .map(|i| {
                let (tx, rx) = oneshot::channel::<()>();
                let (p, h, m, o) = (permits.clone(), held.clone(), most.clone(), order.clone());
                (tx, async move {
                    let _permit = p.acquire().await;
                    o.borrow_mut().push(i);
                    h.set(h.get() + 1);
                    m.set(m.get().max(h.get()));
                    let _ = rx.await;
                    h.set(h.get() - 1);
                })
            })
            .map(|(tx, fut)| {
                POOL.with(|pool| pool.borrow().spawner().spawn_local(fut).unwrap());
                tx
            })
            .collect();
        let run = || POOL.with(|pool| pool.borrow_mut().run_until_stalled());
        run();
        assert_eq!(*order.borrow(), [0, 1]);
        assert_eq!(permits.available(), 0);
        for gate in gates {
            let _ = gate.send(());
            run();
        }
        assert_eq!(*order.borrow(), [0, 1, 2, 3, 4]);
        assert_eq!(most.get(), 2);
        assert_eq!(permits.available(), 2, "every permit back");
    }

    thread_local! {
        static POOL: RefCell<LocalPool> = RefCell::new(LocalPool::new());
    }
}
