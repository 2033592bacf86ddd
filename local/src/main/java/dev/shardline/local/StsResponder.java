package dev.shardline.local;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Answers STS {@code GetCallerIdentity} (query protocol, XML) with the local account: Amazon's KPL calls it at
 * start to build stream ARNs and stops if it fails.
 */
final class StsResponder {
    private final String account;

    StsResponder(String account) {
        this.account = account;
    }

    /** The answer to an STS request, or null when the request is not one. */
    FullHttpResponse answer(FullHttpRequest request) {
        Map<String, List<String>> params = new java.util.HashMap<>(new QueryStringDecoder(request.uri()).parameters());
        String contentType = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
        if (contentType.startsWith("application/x-www-form-urlencoded") && request.content().isReadable()) {
            String form = request.content().toString(StandardCharsets.UTF_8);
            params.putAll(new QueryStringDecoder(form, false).parameters());
        }
        List<String> action = params.get("Action");
        if (action == null || action.isEmpty()) {
            return null;
        }
        String requestId = UUID.randomUUID().toString();
        if (!action.get(0).equals("GetCallerIdentity")) {
            return xml(HttpResponseStatus.BAD_REQUEST, "<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/"
                    + "2011-06-15/\"><Error><Type>Sender</Type><Code>InvalidAction</Code><Message>Only "
                    + "GetCallerIdentity is served locally, not " + escape(action.get(0)) + "</Message></Error>"
                    + "<RequestId>" + requestId + "</RequestId></ErrorResponse>");
        }
        return xml(HttpResponseStatus.OK, "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/"
                + "2011-06-15/\"><GetCallerIdentityResult><Arn>arn:aws:iam::" + account + ":user/local</Arn>"
                + "<UserId>AIDALOCALSHARDLINE000</UserId><Account>" + account + "</Account>"
                + "</GetCallerIdentityResult><ResponseMetadata><RequestId>" + requestId
                + "</RequestId></ResponseMetadata></GetCallerIdentityResponse>");
    }

    private static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static FullHttpResponse xml(HttpResponseStatus status, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/xml");
        return response;
    }
}
