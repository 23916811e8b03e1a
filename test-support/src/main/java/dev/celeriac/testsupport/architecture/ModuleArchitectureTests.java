package dev.celeriac.testsupport.architecture;

import com.tngtech.archunit.core.domain.JavaClasses;
import org.junit.jupiter.api.Test;

/**
 * The architecture rules every module keeps. A module's {@code ArchitectureTests} extends this class, names its root
 * package, and adds the rules that are its own.
 */
public abstract class ModuleArchitectureTests {

    /** The module's root package, e.g. {@code dev.celeriac.producer}. */
    protected abstract String modulePackage();

    /** The module's main classes. */
    protected final JavaClasses classes() {
        return ArchitectureRules.mainClasses(modulePackage());
    }

    @Test
    void hasNoPackageCycles() {
        ArchitectureRules.packagesAreFreeOfCycles(modulePackage()).check(classes());
    }

    @Test
    void usesNoOtherModulesInternals() {
        ArchitectureRules.noAccessToOtherModulesInternals(modulePackage(), ArchitectureRules.PRODUCT_PACKAGE)
                .check(classes());
    }

    @Test
    void keepsThePublicApiFreeOfItsImplementation() {
        ArchitectureRules.publicApiDoesNotExposeInternals(modulePackage()).check(classes());
    }
}
