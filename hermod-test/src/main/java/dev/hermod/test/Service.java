package dev.hermod.test;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Names the service a proxy parameter injected by {@link HermodExtension} calls, where more than
 * one service is bound with its contract.
 *
 * @since 0.3
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.PARAMETER)
public @interface Service {
    /**
     * The service name, as bound with {@link HermodExtension#add}.
     *
     * @return the name
     */
    String value();
}
