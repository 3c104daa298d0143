package dev.stackquery.micrometer

import io.micrometer.core.instrument.Tag
import io.micrometer.core.instrument.Tags
import java.time.Duration

/**
 * What a [StackQueryMetrics] adds to its meters: common tags, the distribution statistics of the
 * fetch-duration timer, and optional key-prefix tags. Immutable; validated at construction.
 *
 * ```kotlin
 * val options = StackQueryMetricsOptions(tags = Tags.of("client", "users"), percentiles = listOf(0.5, 0.99))
 * StackQueryMetrics(client, options).bindTo(registry)
 * ```
 * From Java: `StackQueryMetricsOptions.builder().tags(Tags.of("client", "users")).percentiles(0.5, 0.99).build()`.
 *
 * @property tags added to every meter, for example `client=users` to tell several clients apart
 *   (Micrometer's cache binders use `cache=<name>` the same way). Default none.
 * @property percentiles the percentiles `stackquery.fetch.duration` publishes, computed in the
 *   application (not aggregable across instances), each in `[0, 1]`; default none.
 * @property percentileHistogram whether `stackquery.fetch.duration` publishes a histogram that the
 *   backend can aggregate into percentiles (Prometheus `_bucket` series); default false.
 * @property serviceLevelObjectives durations `stackquery.fetch.duration` counts the fetches below,
 *   each positive; default none.
 * @property keyTagSegments when positive, `stackquery.fetch.duration` gets a `key` tag: the first
 *   [keyTagSegments] segments of the query key in their canonical text form (`["user"]` for
 *   `queryKey("user", 42)` with 1; a shorter key is used whole). Default 0: no `key` tag. Must be
 *   >= 0. Key segments often carry ids: keep this to the segments that name a kind of query.
 * @property maxKeyTagValues the cardinality guard of the `key` tag: at most this many distinct
 *   values per registry, in the order they are first seen; fetches of any other prefix are tagged
 *   `key=other` (a canonical key text always starts with `[`, so no real prefix reads `other`).
 *   Default 100. Must be >= 1. Ignored while [keyTagSegments] is 0.
 * @throws IllegalArgumentException naming the field, for a percentile outside `[0, 1]`, a
 *   service level objective that is not positive, `keyTagSegments < 0` or `maxKeyTagValues < 1`.
 */
public class StackQueryMetricsOptions(
    tags: Iterable<Tag> = Tags.empty(),
    percentiles: List<Double> = emptyList(),
    public val percentileHistogram: Boolean = false,
    serviceLevelObjectives: List<Duration> = emptyList(),
    public val keyTagSegments: Int = 0,
    public val maxKeyTagValues: Int = DEFAULT_MAX_KEY_TAG_VALUES,
) {
    /** See the class documentation. */
    public val tags: Tags = Tags.of(tags)

    /** See the class documentation. */
    public val percentiles: List<Double> = checkPercentiles(percentiles.toList())

    /** See the class documentation. */
    public val serviceLevelObjectives: List<Duration> = checkObjectives(serviceLevelObjectives.toList())

    init {
        checkKeyTagSegments(keyTagSegments)
        checkMaxKeyTagValues(maxKeyTagValues)
    }

    /** A builder starting from these options, to change some of them. */
    public fun toBuilder(): Builder = Builder(this)

    override fun equals(other: Any?): Boolean =
        other is StackQueryMetricsOptions && tags == other.tags && percentiles == other.percentiles &&
            percentileHistogram == other.percentileHistogram &&
            serviceLevelObjectives == other.serviceLevelObjectives && keyTagSegments == other.keyTagSegments &&
            maxKeyTagValues == other.maxKeyTagValues

    override fun hashCode(): Int =
        listOf(tags, percentiles, percentileHistogram, serviceLevelObjectives, keyTagSegments, maxKeyTagValues)
            .hashCode()

    override fun toString(): String =
        "StackQueryMetricsOptions(tags=$tags, percentiles=$percentiles, percentileHistogram=$percentileHistogram, " +
            "serviceLevelObjectives=$serviceLevelObjectives, keyTagSegments=$keyTagSegments, " +
            "maxKeyTagValues=$maxKeyTagValues)"

    /**
     * Builds [StackQueryMetricsOptions] from Java. Setters validate eagerly, naming the field, and
     * return the builder; unset fields keep the defaults documented on [StackQueryMetricsOptions].
     * Not thread-safe (use one builder per thread).
     */
    public class Builder internal constructor(from: StackQueryMetricsOptions) {
        private var tags: Tags = from.tags
        private var percentiles: List<Double> = from.percentiles
        private var percentileHistogram: Boolean = from.percentileHistogram
        private var serviceLevelObjectives: List<Duration> = from.serviceLevelObjectives
        private var keyTagSegments: Int = from.keyTagSegments
        private var maxKeyTagValues: Int = from.maxKeyTagValues

        /** See [StackQueryMetricsOptions.tags]; replaces the tags set so far. */
        public fun tags(tags: Iterable<Tag>): Builder = apply { this.tags = Tags.of(tags) }

        /** See [StackQueryMetricsOptions.tags]: key-value pairs, as `Tags.of(String...)` takes them. */
        public fun tags(vararg keyValues: String): Builder = apply { tags = Tags.of(*keyValues) }

        /** See [StackQueryMetricsOptions.percentiles]. */
        public fun percentiles(vararg percentiles: Double): Builder = apply {
            this.percentiles = checkPercentiles(percentiles.toList())
        }

        /** See [StackQueryMetricsOptions.percentileHistogram]. */
        public fun percentileHistogram(enabled: Boolean): Builder = apply { percentileHistogram = enabled }

        /** See [StackQueryMetricsOptions.serviceLevelObjectives]. */
        public fun serviceLevelObjectives(vararg objectives: Duration): Builder = apply {
            serviceLevelObjectives = checkObjectives(objectives.toList())
        }

        /** See [StackQueryMetricsOptions.keyTagSegments]. */
        public fun keyTagSegments(segments: Int): Builder = apply { keyTagSegments = checkKeyTagSegments(segments) }

        /** See [StackQueryMetricsOptions.maxKeyTagValues]. */
        public fun maxKeyTagValues(max: Int): Builder = apply { maxKeyTagValues = checkMaxKeyTagValues(max) }

        /** Options with the values set so far. */
        public fun build(): StackQueryMetricsOptions = StackQueryMetricsOptions(
            tags,
            percentiles,
            percentileHistogram,
            serviceLevelObjectives,
            keyTagSegments,
            maxKeyTagValues,
        )
    }

    public companion object {
        /** The default [maxKeyTagValues]: 100. */
        public const val DEFAULT_MAX_KEY_TAG_VALUES: Int = 100

        /** Options with every field at its default: no tags, no percentiles, no key tag. */
        @JvmField
        public val DEFAULT: StackQueryMetricsOptions = StackQueryMetricsOptions()

        /** A builder with every field at its default, for Java. */
        @JvmStatic
        public fun builder(): Builder = Builder(DEFAULT)
    }
}

private fun checkPercentiles(percentiles: List<Double>): List<Double> {
    for (p in percentiles) require(p in 0.0..1.0) { "percentiles must each be in [0, 1], was $p" }
    return percentiles
}

private fun checkObjectives(objectives: List<Duration>): List<Duration> {
    for (slo in objectives) {
        require(!slo.isNegative && !slo.isZero) { "serviceLevelObjectives must each be positive, was $slo" }
    }
    return objectives
}

private fun checkKeyTagSegments(segments: Int): Int {
    require(segments >= 0) { "keyTagSegments must be >= 0, was $segments" }
    return segments
}

private fun checkMaxKeyTagValues(max: Int): Int {
    require(max >= 1) { "maxKeyTagValues must be >= 1, was $max" }
    return max
}
