package dev.stackquery.storage

/**
 * What one tier of a [TieredStorage] did, from [TieredStorage.stats]. Counters only grow.
 *
 * @property index the tier's position, 0 for the first (fastest).
 * @property name the tier's `toString()`.
 * @property hits reads this tier answered.
 * @property misses reads this tier did not have (the next tier was asked).
 * @property errors operations on this tier that threw.
 * @property writes values written to this tier (writes and backfills).
 * @property backfills the part of [writes] that copied a value found in a lower tier.
 */
public class TierStats(
    public val index: Int,
    public val name: String,
    public val hits: Long,
    public val misses: Long,
    public val errors: Long,
    public val writes: Long,
    public val backfills: Long,
) {
    override fun equals(other: Any?): Boolean =
        other is TierStats && index == other.index && name == other.name && hits == other.hits &&
            misses == other.misses && errors == other.errors && writes == other.writes && backfills == other.backfills

    override fun hashCode(): Int = listOf(index, name, hits, misses, errors, writes, backfills).hashCode()

    override fun toString(): String =
        "TierStats(index=$index, name=$name, hits=$hits, misses=$misses, errors=$errors, writes=$writes, backfills=$backfills)"
}
