//! The working memory of argon2id (19 MiB at the default cost), kept per thread and used
//! again, rather than allocated and freed for every run. Freed blocks that large stay in
//! the C allocator's heaps: a flood of receipt codes grew a server to several hundred MiB
//! with only 4 runs at once. Servers run derivations on a fixed set of threads
//! (`dignity_web::work`), so memory is one buffer per thread and stays level.

use argon2::Block;
use std::cell::RefCell;

thread_local! {
    static MEMORY: RefCell<Vec<Block>> = const { RefCell::new(Vec::new()) };
}

/// Runs `work` with `blocks` blocks of this thread's memory, then wipes them so no
/// intermediate state of a key derivation stays behind.
pub(crate) fn with_memory<R>(blocks: usize, work: impl FnOnce(&mut [Block]) -> R) -> R {
    MEMORY.with(|cell| match cell.try_borrow_mut() {
        Ok(mut memory) => {
            if memory.len() < blocks {
                memory.resize(blocks, Block::default());
            }
            let (used, _) = memory.split_at_mut(blocks);
            let out = work(used);
            used.fill(Block::default());
            out
        }
        // Only if a derivation started another on the same thread: give it its own.
        Err(_) => work(&mut vec![Block::default(); blocks]),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_buffer_per_thread_is_used_again_and_wiped() {
        let first = with_memory(64, |m| {
            m[3].as_mut()[0] = 7;
            m.as_ptr() as usize
        });
        let (again, wiped) = with_memory(64, |m| {
            (
                m.as_ptr() as usize,
                m.iter().all(|b| b.as_ref().iter().all(|w| *w == 0)),
            )
        });
        assert_eq!(first, again, "the same memory, not a new allocation");
        assert!(wiped);
    }
}
