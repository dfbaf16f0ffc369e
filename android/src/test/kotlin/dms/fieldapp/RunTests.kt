package dms.fieldapp

import kotlin.system.exitProcess
import org.junit.platform.engine.TestExecutionResult
import org.junit.platform.engine.discovery.DiscoverySelectors.selectPackage
import org.junit.platform.launcher.TestExecutionListener
import org.junit.platform.launcher.TestIdentifier
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder
import org.junit.platform.launcher.core.LauncherFactory

/**
 * Runs every JUnit test in this package and prints one line per test, the failures with
 * their stack traces, and a closing `N passed, N failed` line. Exits 1 if any test failed
 * or none ran.
 */
fun main() {
    var passed = 0
    val failures = mutableListOf<Pair<TestIdentifier, Throwable?>>()
    val listener = object : TestExecutionListener {
        override fun executionFinished(identifier: TestIdentifier, result: TestExecutionResult) {
            val failed = result.status != TestExecutionResult.Status.SUCCESSFUL
            // Containers (the class) count only when they fail, as when @BeforeAll throws.
            if (!identifier.isTest && !failed) return
            val name = identifier.displayName.removeSuffix("()")
            if (failed) {
                failures += identifier to result.throwable.orElse(null)
                println("FAILED  $name")
            } else {
                passed += 1
                println("passed  $name")
            }
        }
    }

    val request = LauncherDiscoveryRequestBuilder.request().selectors(selectPackage("dms.fieldapp")).build()
    LauncherFactory.create().execute(request, listener)

    for ((identifier, error) in failures) {
        println("\n--- ${identifier.displayName}")
        error?.printStackTrace(System.out)
    }
    println("${passed} passed, ${failures.size} failed")
    exitProcess(if (failures.isEmpty() && passed > 0) 0 else 1)
}
