package dev.stackquery.benchmarks

/** One contender of benchmark 7: writes its rows once ([run]), then checks they are all in the file ([verify]). */
interface RowWriter : AutoCloseable {
    /** Writes every row; what the benchmark times. */
    fun run()

    /** Throws unless every row is in the file. */
    fun verify()

    /** Deletes the contender's files (no checked exception, for the JMH states). */
    override fun close()
}
