package dev.stackquery.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Benchmark 7, L2 write-behind into SQLite: rows of about 500 bytes (the JSON envelope of an
 * {@link Item}, {@link WriteBehindWorkload}) persisted into a new SQLite file per invocation; the
 * same keys and values for every contender. Single-shot: the score is the wall time of one
 * invocation divided by its rows, in µs per row (rows/s = 10^6 / score). Files, clients and
 * connections are made before each invocation and every invocation is checked after it (all rows
 * in the file, none dropped), neither of them timed.
 *
 * <ul>
 *   <li>{@code stackQuery}: {@value #ROWS} rows through a {@code QueryClient}'s write-behind into
 *       {@code ExposedStorage.sqlite(file)}: {@code setQueryData} for each row, then
 *       {@code flush()} until every row is committed ({@link ClientWriteBehind}).</li>
 *   <li>{@code seedConnectionPerWrite}: the seed's recipe, PyStackQuery's {@code SQLiteStorage.set}:
 *       a new JDBC connection, {@code INSERT OR REPLACE} and a commit per row
 *       ({@link SeedSqliteWriter}). It managed 75 to 800 rows/s on the shared test machine,
 *       depending on the disk's other traffic, so it writes the first {@value #SEED_ROWS} rows only
 *       (100,000 would take 2 to 20 minutes per invocation); its rows/s is measured on that subset.</li>
 *   <li>{@code storageSetPerRow} (an experiment): the first {@value #DIRECT_ROWS} rows through
 *       {@code ExposedStorage.set}, awaited one by one: the tuned storage without the client's
 *       batching ({@link DirectStorageWriter}).</li>
 * </ul>
 *
 * <p>Run: {@code benchmarks/run}, or {@code benchmarks/run --only WriteBehindBenchmark}, or
 * {@code java -jar benchmarks/target/benchmarks.jar WriteBehindBenchmark}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class WriteBehindBenchmark {
    static final int ROWS = 100_000;
    static final int SEED_ROWS = 1_000;
    static final int DIRECT_ROWS = 10_000;

    /** One writer per invocation, checked (every row in the file) and closed after it. */
    public abstract static class WriterState<W extends RowWriter> {
        W run;

        abstract W create();

        @Setup(Level.Invocation)
        public void prepare() {
            run = create();
        }

        @TearDown(Level.Invocation)
        public void verify() {
            try {
                run.verify();
            } finally {
                run.close();
            }
        }
    }

    @State(Scope.Thread)
    public static class ClientRun extends WriterState<ClientWriteBehind> {
        @Override
        ClientWriteBehind create() {
            return new ClientWriteBehind(ROWS);
        }
    }

    @State(Scope.Thread)
    public static class SeedRun extends WriterState<SeedSqliteWriter> {
        @Override
        SeedSqliteWriter create() {
            return new SeedSqliteWriter(SEED_ROWS);
        }
    }

    @State(Scope.Thread)
    public static class DirectRun extends WriterState<DirectStorageWriter> {
        @Override
        DirectStorageWriter create() {
            return new DirectStorageWriter(DIRECT_ROWS);
        }
    }

    @Benchmark
    @OperationsPerInvocation(ROWS)
    @Warmup(iterations = 2)
    @Measurement(iterations = 5)
    public void stackQuery(ClientRun state) {
        state.run.run();
    }

    @Benchmark
    @OperationsPerInvocation(SEED_ROWS)
    @Warmup(iterations = 1)
    @Measurement(iterations = 3)
    public void seedConnectionPerWrite(SeedRun state) {
        state.run.run();
    }

    @Benchmark
    @OperationsPerInvocation(DIRECT_ROWS)
    @Warmup(iterations = 1)
    @Measurement(iterations = 5)
    public void storageSetPerRow(DirectRun state) {
        state.run.run();
    }
}
