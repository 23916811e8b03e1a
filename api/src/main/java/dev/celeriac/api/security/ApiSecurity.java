package dev.celeriac.api.security;

import dev.celeriac.api.config.ApiProperties;
import dev.celeriac.api.problems.Problems;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.apache.tomcat.util.buf.EncodedSolidusHandling;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.MediaType;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter;
import org.springframework.security.web.header.writers.StaticHeadersWriter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.core.io.JsonStringEncoder;

/**
 * Secure by default: every request needs {@code Authorization: Bearer <key>} but health and Prometheus scraping.
 * {@code read} may GET, {@code submit} may also submit tasks, {@code admin} may do everything (revoke, replay).
 */
@Configuration(proxyBeanMethods = false)
public class ApiSecurity {

    /** The dashboard's content security policy: its own files, and calls to its own API, only. */
    static final String DASHBOARD_POLICY =
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
                    + " connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /**
     * No observation of Spring Security's own filters, authentications and authorizations: with them on, every
     * request wraps each of the chain's filters in an observation that nobody reads (a profile of the submit path
     * under load found the wrapping in 70 % of request samples). The request itself is still observed (HTTP server
     * metrics, and traces when they are on).
     */
    @Bean
    SecurityObservationSettings celeriacNoSecurityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    @Bean
    ApiKeys apiKeys(ApiProperties properties) {
        return ApiKeys.of(properties.keys());
    }

    /**
     * A request the firewall refuses (an encoded slash, semicolon or NUL in the path, say) is a 400 problem like every
     * other bad request, not an anonymous error page.
     */
    @Bean
    RequestRejectedHandler celeriacRequestRejectedHandler() {
        return (request, response, e) ->
                problem(response, 400, "bad-request", "Bad request", "the request was refused: " + e.getMessage());
    }

    /**
     * Tomcat itself answers an encoded slash in a path with an HTML error page. Letting it through to the application
     * puts it before the firewall above, which refuses it as a problem like the rest.
     */
    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> celeriacEncodedSlashesToTheFirewall() {
        return factory -> factory.addConnectorCustomizers(
                connector -> connector.setEncodedSolidusHandling(EncodedSolidusHandling.PASS_THROUGH.getValue()));
    }

    @Bean
    SecurityFilterChain apiSecurityFilterChain(HttpSecurity http, ApiKeys keys) throws Exception {
        String[] anyRole = {"READ", "SUBMIT", "ADMIN"};
        http.csrf(csrf -> csrf.disable())
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .httpBasic(basic -> basic.disable())
                .formLogin(form -> form.disable())
                // An error rendered after a failure is answered as what it is, never as a missing key.
                .authorizeHttpRequests(requests -> requests.dispatcherTypeMatchers(DispatcherType.ERROR)
                        .permitAll()
                        .requestMatchers("/actuator/health", "/actuator/health/**", "/actuator/prometheus")
                        .permitAll()
                        // The API's description is public; every call it describes still needs a key.
                        .requestMatchers("/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**")
                        .permitAll()
                        // The dashboard's pages are static; everything they show comes from calls that need a key.
                        .requestMatchers(HttpMethod.GET, "/", "/ui", "/ui/**", "/favicon.ico")
                        .permitAll()
                        .requestMatchers(HttpMethod.GET, "/**")
                        .hasAnyRole(anyRole)
                        .requestMatchers(
                                HttpMethod.POST,
                                "/api/v1/tasks",
                                "/api/v1/tasks/batch",
                                "/api/v1/tasks/*/retry",
                                "/api/v1/workflows")
                        .hasAnyRole("SUBMIT", "ADMIN")
                        .anyRequest()
                        .hasRole("ADMIN"))
                // The dashboard runs only its own scripts and styles, and is never framed.
                .headers(headers -> headers.addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(
                        PathPatternRequestMatcher.withDefaults().matcher("/ui/**"),
                        new StaticHeadersWriter("Content-Security-Policy", DASHBOARD_POLICY))))
                .addFilterBefore(new BearerKeyFilter(keys), AuthorizationFilter.class)
                .exceptionHandling(errors -> errors.authenticationEntryPoint((request, response, e) -> problem(
                                response,
                                401,
                                "unauthorized",
                                "Unauthorized",
                                "send an API key as 'Authorization: Bearer <key>'"))
                        .accessDeniedHandler((request, response, e) -> problem(
                                response,
                                403,
                                "forbidden",
                                "Forbidden",
                                "this API key's role may not " + request.getMethod() + " " + request.getRequestURI())));
        return http.build();
    }

    private static void problem(HttpServletResponse response, int status, String type, String title, String detail)
            throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        if (status == 401) {
            response.setHeader("WWW-Authenticate", "Bearer");
        }
        // JSON is UTF-8 (RFC 8259): written as bytes so the servlet's ISO-8859-1 writer default never applies.
        response.getOutputStream()
                .write(("{\"type\":\"" + Problems.TYPE_BASE + type + "\",\"title\":\"" + title + "\",\"status\":"
                                + status + ",\"detail\":\"" + jsonString(detail) + "\"}")
                        .getBytes(StandardCharsets.UTF_8));
    }

    /** The text as the inside of a JSON string: quotes, backslashes and control characters escaped. */
    static String jsonString(String text) {
        var out = new StringBuilder(text.length() + 16);
        JsonStringEncoder.getInstance().quoteAsString(text, out);
        return out.toString();
    }

    /** Authenticates a bearer key; a wrong key is treated as none (401), and is never logged. */
    private static final class BearerKeyFilter extends OncePerRequestFilter {
        private final ApiKeys keys;

        BearerKeyFilter(ApiKeys keys) {
            this.keys = keys;
        }

        @Override
        protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
                throws ServletException, IOException {
            String header = request.getHeader("Authorization");
            if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
                keys.roleOf(header.substring(7).strip()).ifPresent(role -> {
                    var authentication = new UsernamePasswordAuthenticationToken(
                            "api-key:" + role.name().toLowerCase(Locale.ROOT),
                            null,
                            List.of(new SimpleGrantedAuthority("ROLE_" + role.name())));
                    SecurityContextHolder.getContext().setAuthentication(authentication);
                });
            }
            // No clearing here: Spring's SecurityContextHolderFilter does it when the request ends, and the
            // ExceptionTranslationFilter above needs the (anonymous) authentication to answer 401 rather than 403.
            chain.doFilter(request, response);
        }
    }
}
