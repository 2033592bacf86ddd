package dev.shardline.producer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.kinesis.model.KinesisException;

@Timeout(10)
class ErrorsTest {

    @Test
    void entryErrorsRetryableOrNot() {
        assertThat(Errors.entry("ProvisionedThroughputExceededException", "slow down"))
                .matches(c -> c.retryable() && c.throttle());
        assertThat(Errors.entry("KMSThrottlingException", "kms")).matches(Errors.Classified::retryable);
        assertThat(Errors.entry("InternalFailure", "oops")).matches(c -> c.retryable() && !c.throttle());
        for (String code : new String[] {"KMSDisabledException", "KMSInvalidStateException", "KMSAccessDeniedException",
                "KMSNotFoundException", "KMSOptInRequired", "AccessDeniedException", "ResourceNotFoundException",
                "ValidationException", "InvalidArgumentException"}) {
            assertThat(Errors.entry(code, "no").retryable()).as(code).isFalse();
        }
    }

    private static KinesisException service(String code, int status) {
        return (KinesisException) KinesisException.builder().statusCode(status)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage("the service says " + code).build())
                .build();
    }

    @Test
    void callErrorsKeepTheServiceMessage() {
        Errors.Classified notFound = Errors.call(new CompletionException(service("ResourceNotFoundException", 400)));
        assertThat(notFound.retryable()).isFalse();
        assertThat(notFound.code()).isEqualTo("ResourceNotFoundException");
        assertThat(notFound.message()).isEqualTo("the service says ResourceNotFoundException");
        assertThat(Errors.call(service("AccessDeniedException", 400)).retryable()).isFalse();
        assertThat(Errors.call(service("InternalFailure", 500)).retryable()).isTrue();
        assertThat(Errors.call(service("ServiceUnavailable", 503)).retryable()).isTrue();
        assertThat(Errors.call(service("ProvisionedThroughputExceededException", 400)))
                .matches(c -> c.retryable() && c.throttle());
        assertThat(Errors.call(service("LimitExceededException", 400)).retryable()).isTrue();
        assertThat(Errors.call(service("SomethingNew", 400)).retryable()).isFalse();
    }

    @Test
    void timeoutsAndConnectionErrorsAreRetried() {
        assertThat(Errors.call(ApiCallTimeoutException.create(1000)).retryable()).isTrue();
        assertThat(Errors.call(new CompletionException(SdkClientException.create("Connection reset",
                new java.io.IOException("Connection reset by peer")))).retryable()).isTrue();
    }
}
