package dev.stackquery.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/** Heap occupancy after full garbage collections, for the memory benchmark. */
public final class Heap {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private Heap() {}

    /**
     * Bytes of heap in use after {@code System.gc()} (a full, compacting collection on HotSpot's
     * collectors unless {@code -XX:+ExplicitGCInvokesConcurrent}), repeated until two readings in a
     * row agree within 64 KiB (at most 10 collections), so finalizers and reference processing have
     * settled.
     */
    public static long usedAfterGc() {
        long previous = Long.MAX_VALUE;
        for (int i = 0; i < 10; i++) {
            System.gc();
            long used = MEMORY.getHeapMemoryUsage().getUsed();
            if (Math.abs(used - previous) < 64 * 1024) return used;
            previous = used;
        }
        return previous;
    }
}
