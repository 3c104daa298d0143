package dev.stackquery.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The hit benchmarks' Java code, driven by hand as JMH would drive it (setup, calls, tear-down):
 * every contender reads the value stored under the key it is asked for, including through the
 * Java facades.
 */
class HitBenchmarksTest {

    @ParameterizedTest
    @ValueSource(strings = {"StackQuery", "Caffeine", "ConcurrentHashMap", "StackQuery-coarseClock"})
    void freshHitReadsTheValueOfEachKeyItIsAskedFor(String contender) {
        FreshHitBenchmark benchmark = new FreshHitBenchmark();
        benchmark.contender = contender;
        benchmark.setUp();
        try {
            KeyCursor cursor = new KeyCursor();
            cursor.next = FreshHitBenchmark.KEYS - 2; // wraps around: KEYS - 2, KEYS - 1, 0
            assertEquals("v1022", benchmark.read1Thread(cursor));
            assertEquals("v1023", benchmark.read2Threads(cursor));
            assertEquals("v0", benchmark.read1Thread(cursor));
        } finally {
            benchmark.tearDown();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"StackQuery", "Caffeine"})
    void facadeFreshHitJoinsTheValueOfEachKeyItIsAskedFor(String contender) {
        FacadeFreshHitBenchmark benchmark = new FacadeFreshHitBenchmark();
        benchmark.contender = contender;
        benchmark.setUp();
        try {
            KeyCursor cursor = new KeyCursor();
            cursor.next = 7;
            assertEquals("v7", benchmark.join1Thread(cursor));
            assertEquals("v8", benchmark.join2Threads(cursor));
        } finally {
            benchmark.tearDown();
        }
    }
}
