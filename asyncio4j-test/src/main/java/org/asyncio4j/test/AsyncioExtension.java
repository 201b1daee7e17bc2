package org.asyncio4j.test;

import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Method;
import java.util.Optional;

import org.asyncio4j.EventLoop;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.InvocationInterceptor;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.ReflectiveInvocationContext;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * The JUnit Jupiter extension behind {@link AsyncioTest}: runs each test method, and each
 * invocation of a {@code @ParameterizedTest} or {@code @RepeatedTest}, as the main task of a
 * fresh event loop, checks what the test left behind, and resolves {@link TestClock} and
 * {@link EventLoop} parameters. Register it on a class with
 * {@code @ExtendWith(AsyncioExtension.class)} to run every test method of the class that way
 * with the defaults, or put {@code @AsyncioTest(...)} on the class to choose the settings.
 *
 * <pre>{@code
 * @ExtendWith(AsyncioExtension.class)
 * class RetryTest {
 *     @ParameterizedTest
 *     @ValueSource(ints = {1, 2, 3})
 *     void giveUp_afterTheLastAttempt(int attempts, TestClock clock) { ... }
 * }
 * }</pre>
 *
 * <p>Python: pytest-asyncio's plugin.
 */
public final class AsyncioExtension implements InvocationInterceptor, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(AsyncioExtension.class);

    /** The defaults, read from the annotation itself. */
    @AsyncioTest
    private static final class Defaults {
    }

    /** Created by JUnit. */
    public AsyncioExtension() {
    }

    @Override
    public void interceptTestMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext extensionContext) throws Throwable {
        testRun(extensionContext).run(invocation, invocationContext.getExecutable().getName());
    }

    @Override
    public void interceptTestTemplateMethod(Invocation<Void> invocation, ReflectiveInvocationContext<Method> invocationContext,
            ExtensionContext extensionContext) throws Throwable {
        testRun(extensionContext).run(invocation,
                invocationContext.getExecutable().getName() + " " + extensionContext.getDisplayName());
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        return type == TestClock.class || type == EventLoop.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        Class<?> type = parameterContext.getParameter().getType();
        Optional<Method> test = extensionContext.getTestMethod();
        if (test.isEmpty() || !test.get().equals(parameterContext.getDeclaringExecutable())) {
            throw new ParameterResolutionException("a " + type.getSimpleName() + " parameter goes on the test method: "
                    + parameterContext.getDeclaringExecutable() + " runs outside the test's event loop");
        }
        TestRun run = testRun(extensionContext);
        if (type == EventLoop.class) {
            return run.loop;
        }
        if (run.clock == null) {
            throw new ParameterResolutionException("a TestClock needs the virtual clock, and " + test.get().getName()
                    + " runs with @AsyncioTest(virtualClock = false)");
        }
        return run.clock;
    }

    /** The run of this test (invocation), with its loop, created on first use. */
    private static TestRun testRun(ExtensionContext context) {
        return context.getStore(NAMESPACE).getOrComputeIfAbsent(TestRun.class, k -> new TestRun(settings(context)), TestRun.class);
    }

    /** The method's annotation, else the nearest enclosing class's, else the defaults. */
    private static AsyncioTest settings(ExtensionContext context) {
        AsyncioTest found = find(context.getRequiredTestMethod()).orElse(null);
        for (Class<?> c = context.getRequiredTestClass(); found == null && c != null; c = c.getEnclosingClass()) {
            found = find(c).orElse(null);
        }
        AsyncioTest s = found != null ? found : Defaults.class.getAnnotation(AsyncioTest.class);
        if (!(s.timeoutSeconds() > 0)) {
            throw new ExtensionConfigurationException("@AsyncioTest(timeoutSeconds = " + s.timeoutSeconds()
                    + ") on " + context.getRequiredTestMethod() + ": the limit must be more than 0");
        }
        return s;
    }

    private static Optional<AsyncioTest> find(AnnotatedElement element) {
        return AnnotationSupport.findAnnotation(element, AsyncioTest.class);
    }
}
