//! Facts other modules derive from a parsed file or one of its
//! instructions (the shell scripts of a `RUN`, which later `RUN`s read a
//! package index), kept beside the tree so that each is computed once per
//! parse however many transforms ask. The tree does not know these types:
//! they are stored by type, one value per type.

use foldhash::{HashMap, HashMapExt};
use std::any::{Any, TypeId};
use std::cell::RefCell;
use std::hash::Hash;
use std::rc::Rc;

/// Values by type, computed on first use. A clone starts with the values
/// computed so far (shared, not recomputed).
#[derive(Debug, Default, Clone)]
pub struct Memo(RefCell<Vec<(TypeId, Rc<dyn Any>)>>);

impl Memo {
    /// The value of type `T`, computed by `compute` the first time.
    /// `compute` may ask the memo for other types (the borrow is not held).
    pub fn get_or_compute<T: Any>(&self, compute: impl FnOnce() -> T) -> Rc<T> {
        if let Some(found) = self.get::<T>() {
            return found;
        }
        let value = Rc::new(compute());
        // A `compute` that asked for its own type first stored one already:
        // keep that one, so every caller shares the same value.
        if let Some(found) = self.get::<T>() {
            return found;
        }
        self.0.borrow_mut().push((TypeId::of::<T>(), value.clone()));
        value
    }

    fn get<T: Any>(&self) -> Option<Rc<T>> {
        // The type is kept beside each value: comparing it is cheaper than
        // asking every value for its type through its vtable.
        let wanted = TypeId::of::<T>();
        self.0
            .borrow()
            .iter()
            .find(|(type_id, _)| *type_id == wanted)
            .and_then(|(_, value)| value.clone().downcast::<T>().ok())
    }
}

/// Values by key (a stage's index, ...), computed on first use: what a
/// [`Memo`] holds for facts asked per stage. Wrap it in a type of your own
/// so that two modules' maps of the same types are not mistaken for each
/// other.
#[derive(Debug)]
pub struct MemoMap<K, V>(RefCell<HashMap<K, V>>);

impl<K, V> Default for MemoMap<K, V> {
    fn default() -> Self {
        Self(RefCell::new(HashMap::new()))
    }
}

impl<K: Hash + Eq, V: Clone> MemoMap<K, V> {
    /// The value for `key`, computed by `compute` the first time. `compute`
    /// may ask for other keys (the borrow is not held).
    pub fn get_or_compute(&self, key: K, compute: impl FnOnce() -> V) -> V {
        if let Some(found) = self.0.borrow().get(&key) {
            return found.clone();
        }
        let value = compute();
        self.0.borrow_mut().entry(key).or_insert(value).clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn computes_each_type_once() {
        let memo = Memo::default();
        let mut calls = 0;
        let first = memo.get_or_compute(|| {
            calls += 1;
            42u32
        });
        let again = memo.clone().get_or_compute(|| {
            calls += 1;
            0u32
        });
        assert_eq!((*first, *again, calls), (42, 42, 1));
        let nested = memo.get_or_compute(|| format!("{}", *memo.get_or_compute(|| 7u8)));
        assert_eq!(nested.as_str(), "7");
    }

    #[test]
    fn computes_each_key_once() {
        let map: MemoMap<usize, usize> = MemoMap::default();
        let mut calls = 0;
        for _ in 0..2 {
            assert_eq!(
                map.get_or_compute(3, || {
                    calls += 1;
                    map.get_or_compute(4, || 40) + 1
                }),
                41
            );
        }
        assert_eq!(calls, 1);
    }
}
