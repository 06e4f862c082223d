# Build stage: compile the binary with the production profile (release, whole-program optimised).
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --profile production --locked --bin ganbridge

# Runtime stage: the binary alone, run by an unprivileged user.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home /var/lib/ganbridge --create-home ganbridge
COPY --from=build /src/target/production/ganbridge /usr/local/bin/ganbridge
USER ganbridge
WORKDIR /var/lib/ganbridge
ENV GANBRIDGE_DATA_DIR=/var/lib/ganbridge GANBRIDGE_LISTEN=0.0.0.0:8080
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["ganbridge"]
CMD ["serve"]
