package dev.stackquery.benchmarks;

import dev.stackquery.QueryKey;

/**
 * The keys and values every contender of a benchmark stores: the same {@link QueryKey} instances
 * (StackQuery's key type; Caffeine and {@code ConcurrentHashMap} use them as plain map keys, with
 * their cached hash) and the same small {@code String} values.
 */
public final class Entries {
    public final QueryKey[] keys;
    public final String[] values;

    private Entries(QueryKey[] keys, String[] values) {
        this.keys = keys;
        this.values = values;
    }

    /** {@code n} keys {@code [name, i]} with values {@code "v" + i}. */
    public static Entries of(String name, int n) {
        QueryKey[] keys = new QueryKey[n];
        String[] values = new String[n];
        for (int i = 0; i < n; i++) {
            keys[i] = QueryKey.of(name, i);
            values[i] = "v" + i;
        }
        return new Entries(keys, values);
    }

    /**
     * {@code groups * perGroup} keys {@code [name, group, i]}: each group is the prefix
     * {@code [name, group]} of {@code perGroup} keys.
     */
    public static Entries grouped(String name, int groups, int perGroup) {
        QueryKey[] keys = new QueryKey[groups * perGroup];
        String[] values = new String[keys.length];
        for (int g = 0, n = 0; g < groups; g++) {
            for (int i = 0; i < perGroup; i++, n++) {
                keys[n] = QueryKey.of(name, g, i);
                values[n] = "v" + n;
            }
        }
        return new Entries(keys, values);
    }

    public int size() {
        return keys.length;
    }
}
