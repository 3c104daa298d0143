package dev.stackquery.micrometer

import dev.stackquery.QueryOptions
import dev.stackquery.queryKey
import io.kotest.assertions.throwables.shouldThrow
import io.kotest.core.spec.style.FunSpec
import io.kotest.matchers.shouldBe
import kotlinx.coroutines.delay
import kotlinx.coroutines.test.runTest
import java.time.Duration
import java.util.concurrent.TimeUnit
import kotlin.time.Duration.Companion.milliseconds

class StackQueryMetricsOptionsSpec : FunSpec({

    test("bad options are rejected with the field named") {
        shouldThrow<IllegalArgumentException> { StackQueryMetricsOptions(percentiles = listOf(0.5, 1.5)) }
            .message shouldBe "percentiles must each be in [0, 1], was 1.5"
        shouldThrow<IllegalArgumentException> {
            StackQueryMetricsOptions(serviceLevelObjectives = listOf(Duration.ZERO))
        }
            .message shouldBe "serviceLevelObjectives must each be positive, was PT0S"
        shouldThrow<IllegalArgumentException> { StackQueryMetricsOptions(keyTagSegments = -1) }
            .message shouldBe "keyTagSegments must be >= 0, was -1"
        shouldThrow<IllegalArgumentException> { StackQueryMetricsOptions.builder().maxKeyTagValues(0) }
            .message shouldBe "maxKeyTagValues must be >= 1, was 0"
        shouldThrow<IllegalArgumentException> { StackQueryMetricsOptions.builder().percentiles(Double.NaN) }
            .message shouldBe "percentiles must each be in [0, 1], was NaN"
    }

    test("the builder makes the options the constructor makes, and toBuilder starts from them") {
        val built = StackQueryMetricsOptions.builder()
            .tags("client", "users")
            .percentiles(0.5, 0.99)
            .percentileHistogram(true)
            .serviceLevelObjectives(Duration.ofMillis(100))
            .keyTagSegments(1)
            .maxKeyTagValues(10)
            .build()
        built shouldBe StackQueryMetricsOptions(
            io.micrometer.core.instrument.Tags.of("client", "users"),
            listOf(0.5, 0.99),
            percentileHistogram = true,
            serviceLevelObjectives = listOf(Duration.ofMillis(100)),
            keyTagSegments = 1,
            maxKeyTagValues = 10,
        )
        built.toBuilder().keyTagSegments(0).build().keyTagSegments shouldBe 0
        StackQueryMetricsOptions.builder().build() shouldBe StackQueryMetricsOptions.DEFAULT
    }

    test("the timer publishes the percentiles and service level objectives asked for") {
        runTest {
            val client = testClient()
            val registry = virtualRegistry()
            val options = StackQueryMetricsOptions.builder()
                .percentiles(0.5)
                .serviceLevelObjectives(Duration.ofMillis(100), Duration.ofMillis(300))
                .build()
            val metrics = StackQueryMetrics.bind(client, registry, options)
            for ((i, latency) in listOf(50, 200, 250).withIndex()) {
                client.fetchQuery(QueryOptions(queryKey("q", i), { delay(latency.milliseconds) }))
            }
            val snapshot = registry.get("stackquery.fetch.duration").timer().takeSnapshot()
            snapshot.percentileValues().map { it.percentile() } shouldBe listOf(0.5)
            snapshot.histogramCounts().map { it.bucket(TimeUnit.MILLISECONDS) to it.count() } shouldBe
                listOf(100.0 to 1.0, 300.0 to 3.0)
            metrics.close()
            client.close()
        }
    }
})
