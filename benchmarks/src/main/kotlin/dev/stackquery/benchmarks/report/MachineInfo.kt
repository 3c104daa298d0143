package dev.stackquery.benchmarks.report

import java.io.File

/** The machine the benchmarks ran on, as far as the JVM and Linux's `/proc` tell. */
class MachineInfo(
    val cpu: String,
    val cores: Int,
    val memory: String,
    val os: String,
) {
    companion object {
        /** This machine: `/proc/cpuinfo`, `/proc/meminfo` and `/etc/os-release` where present, else the JVM's view. */
        fun current(): MachineInfo = MachineInfo(
            cpu = readField(File("/proc/cpuinfo"), "model name") ?: System.getProperty("os.arch"),
            cores = Runtime.getRuntime().availableProcessors(),
            memory = readField(File("/proc/meminfo"), "MemTotal")?.let(::formatKibibytes) ?: "unknown",
            os = buildString {
                append(osRelease() ?: System.getProperty("os.name"))
                append(", kernel ").append(System.getProperty("os.version"))
                append(", ").append(System.getProperty("os.arch"))
            },
        )

        private fun readField(file: File, name: String): String? = runCatching {
            file.useLines { lines ->
                lines.map { it.split(':', limit = 2) }
                    .firstOrNull { it.size == 2 && it[0].trim() == name }
                    ?.get(1)?.trim()
            }
        }.getOrNull()

        private fun osRelease(): String? = runCatching {
            File("/etc/os-release").useLines { lines ->
                lines.firstOrNull { it.startsWith("PRETTY_NAME=") }?.substringAfter('=')?.trim('"')
            }
        }.getOrNull()

        /** `"24684092 kB"` → `"23.5 GiB"`. */
        internal fun formatKibibytes(meminfo: String): String {
            val kib = meminfo.substringBefore(' ').toLongOrNull() ?: return meminfo
            return String.format(java.util.Locale.ROOT, "%.1f GiB", kib / 1024.0 / 1024.0)
        }
    }
}
