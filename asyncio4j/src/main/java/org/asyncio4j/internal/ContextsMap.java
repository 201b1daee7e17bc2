package org.asyncio4j.internal;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * The persistent map behind a {@code Context}: a hash array mapped trie (as CPython's
 * {@code hamt.c}), immutable, so copying a context is sharing its root.
 *
 * <h2>Implementation overview</h2>
 * A node is a 32-bit bitmap and a packed array of two slots per set bit: a leaf is
 * {@code (key, value)}, a child is {@code (null, node)}. Level {@code d} indexes the node with
 * bits {@code 5d..5d+4} of the key's hash. Every key carries a 64-bit hash that no other key has
 * (a bijective mix of a counter), so two keys always part within the 13 levels and the trie needs
 * no collision nodes; a lookup compares keys by identity. {@link #put} and {@link #remove} copy
 * the path to the changed slot and share the rest; a node records its subtree's size, so a
 * map's size is its root's. The empty map is {@code null}.
 *
 * <p>Cost: with a handful of variables everything sits in the root, so a lookup is a bitmap
 * test, a bit count and one identity comparison, and a set copies one small array (what a
 * copy-on-write array would do); with n variables both are O(log32 n).
 */
public final class ContextsMap {

    /** What {@link #get} returns for a key the map does not hold (values may be null). */
    public static final Object ABSENT = new Object();

    private ContextsMap() {
    }

    /** A key: its owner (the {@code ContextVar}) and a hash unique to it. */
    public static final class Key {
        private static final AtomicLong COUNTER = new AtomicLong();

        final Object owner;
        final long hash;

        public Key(Object owner) {
            this.owner = owner;
            this.hash = mix(COUNTER.incrementAndGet());
        }

        /** A bijection of the 64-bit integers (SplitMix64's finaliser): distinct in, distinct out. */
        private static long mix(long z) {
            z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
            z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
            return z ^ (z >>> 31);
        }
    }

    /** A trie node; never empty (the empty map is null). */
    public static final class Node {
        final int bitmap;
        final Object[] slots;
        final int size;

        Node(int bitmap, Object[] slots, int size) {
            this.bitmap = bitmap;
            this.slots = slots;
            this.size = size;
        }
    }

    private static int bit(long hash, int shift) {
        return 1 << ((int) (hash >>> shift) & 31);
    }

    private static int index(int bitmap, int bit) {
        return 2 * Integer.bitCount(bitmap & (bit - 1));
    }

    /** The number of entries of {@code map}. */
    public static int size(Node map) {
        return map == null ? 0 : map.size;
    }

    /** The value of {@code key} in {@code map}, or {@link #ABSENT}. */
    public static Object get(Node map, Key key) {
        long hash = key.hash;
        Node n = map;
        for (int shift = 0; n != null; shift += 5) {
            int bit = bit(hash, shift);
            if ((n.bitmap & bit) == 0) {
                return ABSENT;
            }
            int i = index(n.bitmap, bit);
            Object k = n.slots[i];
            if (k == null) {
                n = (Node) n.slots[i + 1];
            } else {
                return k == key ? n.slots[i + 1] : ABSENT;
            }
        }
        return ABSENT;
    }

    /** {@code map} with {@code key} bound to {@code value}. */
    public static Node put(Node map, Key key, Object value) {
        return put(map, key, value, 0);
    }

    private static Node put(Node n, Key key, Object value, int shift) {
        int bit = bit(key.hash, shift);
        if (n == null) {
            return new Node(bit, new Object[] {key, value}, 1);
        }
        int i = index(n.bitmap, bit);
        if ((n.bitmap & bit) == 0) {
            Object[] a = new Object[n.slots.length + 2];
            System.arraycopy(n.slots, 0, a, 0, i);
            a[i] = key;
            a[i + 1] = value;
            System.arraycopy(n.slots, i, a, i + 2, n.slots.length - i);
            return new Node(n.bitmap | bit, a, n.size + 1);
        }
        Object k = n.slots[i];
        if (k == null) {
            Node child = (Node) n.slots[i + 1];
            Node changed = put(child, key, value, shift + 5);
            return with(n, i, null, changed, n.size - child.size + changed.size);
        }
        if (k == key) {
            return n.slots[i + 1] == value ? n : with(n, i, key, value, n.size);
        }
        return with(n, i, null, pair((Key) k, n.slots[i + 1], key, value, shift + 5), n.size + 1);
    }

    /** A node holding two leaves whose hashes agree below {@code shift}. */
    private static Node pair(Key k1, Object v1, Key k2, Object v2, int shift) {
        int b1 = bit(k1.hash, shift), b2 = bit(k2.hash, shift);
        if (b1 == b2) {
            return new Node(b1, new Object[] {null, pair(k1, v1, k2, v2, shift + 5)}, 2);
        }
        Object[] a = Integer.compareUnsigned(b1, b2) < 0 ? new Object[] {k1, v1, k2, v2} : new Object[] {k2, v2, k1, v1};
        return new Node(b1 | b2, a, 2);
    }

    private static Node with(Node n, int i, Object key, Object value, int size) {
        Object[] a = n.slots.clone();
        a[i] = key;
        a[i + 1] = value;
        return new Node(n.bitmap, a, size);
    }

    /** {@code map} without {@code key} ({@code map} itself if it has no such key). */
    public static Node remove(Node map, Key key) {
        return remove(map, key, 0);
    }

    private static Node remove(Node n, Key key, int shift) {
        if (n == null) {
            return null;
        }
        int bit = bit(key.hash, shift);
        if ((n.bitmap & bit) == 0) {
            return n;
        }
        int i = index(n.bitmap, bit);
        Object k = n.slots[i];
        if (k == null) {
            Node child = (Node) n.slots[i + 1];
            Node changed = remove(child, key, shift + 5);
            if (changed == child) {
                return n;
            }
            if (changed == null) {
                return without(n, i, bit);
            }
            if (changed.size == 1 && changed.slots[0] != null) {
                return with(n, i, changed.slots[0], changed.slots[1], n.size - 1);   // a lone leaf moves up
            }
            return with(n, i, null, changed, n.size - 1);
        }
        return k == key ? without(n, i, bit) : n;
    }

    private static Node without(Node n, int i, int bit) {
        if (n.slots.length == 2) {
            return null;
        }
        Object[] a = new Object[n.slots.length - 2];
        System.arraycopy(n.slots, 0, a, 0, i);
        System.arraycopy(n.slots, i + 2, a, i, a.length - i);
        return new Node(n.bitmap & ~bit, a, n.size - 1);
    }

    /** Calls {@code action} with each key's owner and its value, in hash order. */
    public static void forEach(Node map, BiConsumer<Object, Object> action) {
        if (map == null) {
            return;
        }
        for (int i = 0; i < map.slots.length; i += 2) {
            Object k = map.slots[i];
            if (k == null) {
                forEach((Node) map.slots[i + 1], action);
            } else {
                action.accept(((Key) k).owner, map.slots[i + 1]);
            }
        }
    }
}
