package dev.stackquery.storage

/** How a [TieredStorage] writes to its tiers. */
public enum class WriteStrategy {
    /** Every write goes to every tier before it returns: tiers agree at once; writes cost the slowest tier. */
    WRITE_THROUGH,

    /**
     * A write goes to the first tier before it returns, and to the lower tiers in the background,
     * in order, latest value per key ([TieredStorage.flush] waits for them): writes cost the
     * fastest tier; lower tiers catch up.
     */
    WRITE_BACK,
}
