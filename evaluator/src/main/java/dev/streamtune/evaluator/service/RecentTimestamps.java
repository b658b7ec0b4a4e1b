package dev.streamtune.evaluator.service;

import java.util.OptionalLong;

/**
 * The record timestamps of one partition's last {@code capacity} offsets, in two preallocated arrays used as a
 * ring: the memory is fixed from the first record on (16 bytes an offset), so a service that runs for weeks holds
 * exactly what it held after a minute. Offsets arrive in increasing order, as a consumer reads them; one that does
 * not (the consumer was moved back) starts the ring over, since what it held may now be re-read.
 */
final class RecentTimestamps {
    private final long[] offsets;
    private final long[] timestamps;
    private int start;
    private int size;

    RecentTimestamps(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1, got " + capacity);
        }
        offsets = new long[capacity];
        timestamps = new long[capacity];
    }

    void add(long offset, long timestamp) {
        if (size > 0 && offset <= offsets[index(size - 1)]) {
            start = 0;
            size = 0;
        }
        if (size < offsets.length) {
            offsets[index(size)] = offset;
            timestamps[index(size)] = timestamp;
            size++;
        } else {
            offsets[start] = offset;
            timestamps[start] = timestamp;
            start = (start + 1) % offsets.length;
        }
    }

    /** The timestamp of the first remembered offset in [{@code from}, {@code until}), if any. */
    OptionalLong firstIn(long from, long until) {
        int lo = 0;
        int hi = size;
        while (lo < hi) { // the first logical position whose offset is >= from
            int mid = (lo + hi) >>> 1;
            if (offsets[index(mid)] < from) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo < size && offsets[index(lo)] < until ? OptionalLong.of(timestamps[index(lo)]) : OptionalLong.empty();
    }

    int size() {
        return size;
    }

    private int index(int logical) {
        return (start + logical) % offsets.length;
    }
}
