package dev.stackquery.benchmarks;

import java.util.concurrent.ThreadLocalRandom;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** The hit benchmarks' per-thread position: each thread walks the keys from its own random start. */
@State(Scope.Thread)
public class KeyCursor {
    int next;

    @Setup
    public void setUp() {
        next = ThreadLocalRandom.current().nextInt(FreshHitBenchmark.KEYS);
    }
}
