package dev.celeriac.testsupport.architecture;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.ArrayList;
import java.util.List;

/**
 * Rules that keep the architecture visible. Each module's {@code ArchitectureTests} applies them to its own classes:
 *
 * <ul>
 *   <li>no cycles between packages;
 *   <li>nothing reaches into another module's {@code internal} packages;
 *   <li>the protocol module depends on the JDK and Jackson only.
 * </ul>
 */
public final class ArchitectureRules {

    /** The root package of every Celeriac module. */
    public static final String PRODUCT_PACKAGE = "dev.celeriac";

    private ArchitectureRules() {}

    /** The main (non-test) classes of the given package and its subpackages. */
    public static JavaClasses mainClasses(String rootPackage) {
        return new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
                .importPackages(rootPackage);
    }

    /** No package below {@code rootPackage} (itself included) takes part in a dependency cycle. */
    public static ArchRule packagesAreFreeOfCycles(String rootPackage) {
        String parent = rootPackage.substring(0, rootPackage.lastIndexOf('.'));
        return slices().matching(parent + ".(**)")
                .should()
                .beFreeOfCycles()
                .because("a package cycle hides the flow of a task through the code");
    }

    /**
     * Classes of {@code modulePackage} do not use classes in an {@code internal} package of another module below
     * {@code productPackage}.
     */
    public static ArchRule noAccessToOtherModulesInternals(String modulePackage, String productPackage) {
        return noClasses()
                .that()
                .resideInAPackage(modulePackage + "..")
                .should()
                .dependOnClassesThat(resideInAPackage(productPackage + "..internal..")
                        .and(not(resideInAPackage(modulePackage + ".."))))
                .because("a module's internal packages are its own; others use its public API");
    }

    /** Classes of {@code modulePackage} depend only on themselves, the JDK and the given packages. */
    public static ArchRule dependsOnlyOn(String modulePackage, String... allowedPackages) {
        var allowed = new ArrayList<String>(List.of(modulePackage + "..", "java.."));
        allowed.addAll(List.of(allowedPackages));
        return classes()
                .that()
                .resideInAPackage(modulePackage + "..")
                .should()
                .onlyDependOnClassesThat()
                .resideInAnyPackage(allowed.toArray(String[]::new));
    }

    /**
     * The module's public API (its root package) does not depend on its own {@code internal} packages, so that
     * users never see an implementation type.
     */
    public static ArchRule publicApiDoesNotExposeInternals(String modulePackage) {
        return noClasses()
                .that()
                .resideInAPackage(modulePackage)
                .should()
                .dependOnClassesThat()
                .resideInAPackage(modulePackage + ".internal..")
                .because("the public API is what users may touch; its implementation may change");
    }

    /** The protocol module is framework-free: the JDK and Jackson only, no Spring, no AMQP client. */
    public static ArchRule protocolIsFrameworkFree() {
        return dependsOnlyOn(PRODUCT_PACKAGE + ".protocol", "tools.jackson..", "com.fasterxml.jackson.annotation..")
                .because("the protocol is shared by every component and by non-Spring clients");
    }
}
