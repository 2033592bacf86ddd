package dev.shardline.producer;

import dev.shardline.common.Futures;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkClientException;

/** Tells retryable errors from the ones retrying cannot fix, by error code. */
final class Errors {
    static final String THROTTLED = "ProvisionedThroughputExceededException";

    private static final Set<String> THROTTLING = Set.of(THROTTLED, "KMSThrottlingException", "LimitExceededException",
            "ThrottlingException", "Throttling", "RequestThrottledException", "TooManyRequestsException");
    private static final Set<String> NON_RETRYABLE = Set.of("ValidationException", "InvalidArgumentException",
            "AccessDeniedException", "ResourceNotFoundException", "KMSDisabledException", "KMSInvalidStateException",
            "KMSAccessDeniedException", "KMSNotFoundException", "KMSOptInRequired", "UnrecognizedClientException",
            "InvalidSignatureException", "MissingAuthenticationTokenException", "IncompleteSignature",
            "ResourceInUseException", "SerializationException");

    private Errors() {
    }

    /** An error as the retrier sees it. */
    record Classified(String code, String message, boolean retryable, boolean throttle, Throwable cause) {
    }

    /** An entry-level error of a PutRecords response. */
    static Classified entry(String code, String message) {
        boolean throttle = THROTTLING.contains(code);
        return new Classified(code, message, throttle || !NON_RETRYABLE.contains(code) && !code.startsWith("KMS"), throttle,
                null);
    }

    /** A failed call. */
    static Classified call(Throwable t) {
        Throwable e = Futures.unwrap(t);
        if (e instanceof AwsServiceException ase) {
            String code = ase.awsErrorDetails() != null && ase.awsErrorDetails().errorCode() != null
                    ? ase.awsErrorDetails().errorCode() : ase.getClass().getSimpleName();
            String message = ase.awsErrorDetails() != null && ase.awsErrorDetails().errorMessage() != null
                    ? ase.awsErrorDetails().errorMessage() : ase.getMessage();
            boolean throttle = THROTTLING.contains(code) || ase.isThrottlingException();
            boolean retryable = throttle || ase.statusCode() >= 500 || ase.statusCode() == 429
                    || !NON_RETRYABLE.contains(code) && !code.startsWith("KMS") && ase.statusCode() == 0;
            return new Classified(code, message, retryable, throttle, e);
        }
        if (e instanceof SdkClientException) {
            // timeouts, connection resets, unreadable responses: the call may or may not have been stored
            return new Classified(e.getClass().getSimpleName(), String.valueOf(e.getMessage()), true, false, e);
        }
        return new Classified(e.getClass().getSimpleName(), String.valueOf(e.getMessage()), true, false, e);
    }

}
