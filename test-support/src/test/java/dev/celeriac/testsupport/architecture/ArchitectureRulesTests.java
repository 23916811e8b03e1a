package dev.celeriac.testsupport.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

/** The rules catch what they are for: each is shown failing on a deliberate violation and passing on clean code. */
class ArchitectureRulesTests {

    private static final String FIXTURES = "dev.celeriac.archfixture";

    private static JavaClasses fixture(String subpackage) {
        return new ClassFileImporter().importPackages(FIXTURES + "." + subpackage);
    }

    @Test
    void reportsAPackageCycle() {
        EvaluationResult result =
                ArchitectureRules.packagesAreFreeOfCycles(FIXTURES + ".cycle").evaluate(fixture("cycle"));
        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().toString())
                .contains("Cycle detected")
                .contains("cycle.a");
    }

    @Test
    void passesPackagesWithoutACycle() {
        assertThat(ArchitectureRules.packagesAreFreeOfCycles(FIXTURES + ".clean")
                        .evaluate(fixture("clean"))
                        .hasViolation())
                .isFalse();
    }

    @Test
    void reportsADependencyOutsideTheAllowedOnes() {
        EvaluationResult result = ArchitectureRules.dependsOnlyOn(FIXTURES + ".forbidden", "tools.jackson..")
                .evaluate(fixture("forbidden"));
        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().toString()).contains("org.slf4j.Logger");
        assertThat(ArchitectureRules.dependsOnlyOn(FIXTURES + ".forbidden", "org.slf4j..")
                        .evaluate(fixture("forbidden"))
                        .hasViolation())
                .isFalse();
    }

    @Test
    void reportsAReachIntoAnotherModulesInternalPackage() {
        JavaClasses both = new ClassFileImporter().importPackages(FIXTURES + ".app", FIXTURES + ".lib");
        EvaluationResult result = ArchitectureRules.noAccessToOtherModulesInternals(FIXTURES + ".app", FIXTURES)
                .evaluate(both);
        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().toString()).contains("Hidden");
        assertThat(ArchitectureRules.noAccessToOtherModulesInternals(FIXTURES + ".lib", FIXTURES)
                        .evaluate(both)
                        .hasViolation())
                .isFalse();
    }
}
