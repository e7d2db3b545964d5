# liqd container: build on Debian 12 with run.sh, run as a non-root user.
#   docker build -t liqd .
#   docker run --rm -v /etc/liqd:/etc/liqd:ro -v liqd-journal:/var/lib/liqd liqd
FROM debian:12 AS build
WORKDIR /src
COPY run.sh ./
# Install the toolchain and libraries first so the layer is cached across code changes.
RUN ./run.sh deps
COPY . .
RUN ./run.sh build && cd build/release && cpack -G DEB >/dev/null && cp liqd-*.deb /liqd.deb

FROM debian:12-slim
COPY --from=build /liqd.deb /tmp/liqd.deb
# apt resolves the runtime libraries from the package's shlibs dependencies.
RUN apt-get update -q \
    && apt-get install -y -q --no-install-recommends adduser /tmp/liqd.deb \
    && rm -rf /var/lib/apt/lists/* /tmp/liqd.deb
USER liqd
WORKDIR /var/lib/liqd
EXPOSE 9464
ENTRYPOINT ["/usr/bin/liqd"]
CMD ["--config", "/etc/liqd/liqd.yaml"]
