# syntax=docker/dockerfile:1
# PhoenixSlt portal (PhoenixSlt.Web) with the phoenix-slt CLI published beside it, so the portal can start
# training, evaluation and worker processes (`dotnet /app/phoenix-slt.dll ...`).
#
#   docker build -t phoenix-slt:cpu .                  # CPU image (cpu is the last stage, the default target)
#   docker build --target gpu -t phoenix-slt:gpu .     # CUDA image (TorchSharp-cuda-linux, libnccl2)
#   docker run --init -p 8080:8080 -v phoenix-data:/data -v phoenix-checkpoints:/checkpoints phoenix-slt:cpu
#
# Every stage is Ubuntu 24.04 "noble". Its libstdc++ (GCC 14) provides GLIBCXX_3.4.32, which TorchSharp 0.107's
# libLibTorchSharp.so needs. build/fix-libtorchsharp.sh (run after every publish by Directory.Build.targets) only
# patches the library when the system libstdc++ lacks that version, so here it finds it and exits without
# changes: the build stage needs neither g++, patchelf nor python3, and the runtime stages (same distribution,
# same libstdc++) load the unpatched library.

ARG DOTNET_VERSION=10.0
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

# ASP.NET Core runtime on noble: base of the cpu target and source of the runtime copied into the gpu target.
FROM mcr.microsoft.com/dotnet/aspnet:${DOTNET_VERSION}-noble AS aspnet

# ---- build: SDK, gcc for build/scalar-guard.sh (Directory.Build.targets compiles build/scalar_guard.c into
# libphoenix_scalarguard.so after every publish), project files for a cached restore ----
FROM mcr.microsoft.com/dotnet/sdk:${DOTNET_VERSION}-noble AS build
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 \
    DOTNET_NOLOGO=1
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Directory.Build.props Directory.Build.targets Directory.Packages.props ./
COPY src/PhoenixSlt.Core/PhoenixSlt.Core.csproj src/PhoenixSlt.Core/
COPY src/PhoenixSlt.Training/PhoenixSlt.Training.csproj src/PhoenixSlt.Training/
COPY src/PhoenixSlt.Cli/PhoenixSlt.Cli.csproj src/PhoenixSlt.Cli/
COPY src/PhoenixSlt.Web/PhoenixSlt.Web.csproj src/PhoenixSlt.Web/

# ---- publish-cpu: libtorch-cpu-linux-x64 (TorchBackend=cpu). The portal and the CLI go to one folder. ----
FROM build AS publish-cpu
# Restoring the portal restores the CLI too (project reference).
RUN dotnet restore src/PhoenixSlt.Web/PhoenixSlt.Web.csproj -p:TorchBackend=cpu
COPY build/ build/
COPY wwwroot/ wwwroot/
COPY src/ src/
RUN dotnet publish src/PhoenixSlt.Web/PhoenixSlt.Web.csproj -c Release -p:TorchBackend=cpu --no-restore -o /app \
 && dotnet publish src/PhoenixSlt.Cli/PhoenixSlt.Cli.csproj -c Release -p:TorchBackend=cpu --no-restore -o /app \
 && test -f /app/phoenix-slt.dll && test -f /app/PhoenixSlt.Web.dll

# ---- publish-gpu: TorchSharp-cuda-linux (TorchBackend=cuda; libtorch 2.10 built for CUDA 12.8) ----
FROM build AS publish-gpu
RUN dotnet restore src/PhoenixSlt.Web/PhoenixSlt.Web.csproj -p:TorchBackend=cuda
COPY build/ build/
COPY wwwroot/ wwwroot/
COPY src/ src/
RUN dotnet publish src/PhoenixSlt.Web/PhoenixSlt.Web.csproj -c Release -p:TorchBackend=cuda --no-restore -o /app \
 && dotnet publish src/PhoenixSlt.Cli/PhoenixSlt.Cli.csproj -c Release -p:TorchBackend=cuda --no-restore -o /app \
 && test -f /app/phoenix-slt.dll && test -f /app/PhoenixSlt.Web.dll

# ---- gpu: CUDA 12.8 + cuDNN runtime on Ubuntu 24.04, the ASP.NET Core runtime of the aspnet stage, libnccl2
# (multi-GPU training loads libnccl.so.2). Run with GPUs: docker run --gpus all ... ----
FROM ${CUDA_IMAGE} AS gpu
COPY --from=aspnet /usr/share/dotnet /usr/share/dotnet
# The CUDA runtime images already ship libnccl2 (held at the version matching CUDA): install it only when missing.
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet \
 && apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl libicu74 libssl3t64 tzdata \
 && (dpkg -s libnccl2 >/dev/null 2>&1 || apt-get install -y --no-install-recommends libnccl2) \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 1654 app \
 && useradd --uid 1654 --gid 1654 --create-home --shell /bin/false app \
 && printf '#!/bin/sh\nexec dotnet /app/phoenix-slt.dll "$@"\n' > /usr/local/bin/phoenix-slt \
 && chmod 755 /usr/local/bin/phoenix-slt \
 && mkdir -p /data /checkpoints \
 && chown 1654:1654 /data /checkpoints
ENV DOTNET_ROOT=/usr/share/dotnet \
    DOTNET_RUNNING_IN_CONTAINER=true \
    ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_GCgen0size=0x10000000 \
    OMP_WAIT_POLICY=PASSIVE \
    Phoenix__DataRoot=/data \
    Phoenix__CheckpointRoot=/checkpoints \
    Phoenix__Training__CliPath=/app/phoenix-slt.dll
WORKDIR /app
COPY --from=publish-gpu /app/ /app/
# /data holds the datasets and the portal's database (/data/phoenix.db); /checkpoints the runs and checkpoints.
VOLUME ["/data", "/checkpoints"]
EXPOSE 8080
USER 1654:1654
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS http://localhost:8080/health || exit 1
ENTRYPOINT ["dotnet", "/app/PhoenixSlt.Web.dll"]

# ---- cpu (default target): ASP.NET Core runtime on Ubuntu 24.04, libtorch for CPU ----
FROM aspnet AS cpu
# The aspnet images define the non-root user `app` (uid/gid 1654).
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl \
 && rm -rf /var/lib/apt/lists/* \
 && printf '#!/bin/sh\nexec dotnet /app/phoenix-slt.dll "$@"\n' > /usr/local/bin/phoenix-slt \
 && chmod 755 /usr/local/bin/phoenix-slt \
 && mkdir -p /data /checkpoints \
 && chown 1654:1654 /data /checkpoints
ENV ASPNETCORE_HTTP_PORTS=8080 \
    DOTNET_GCgen0size=0x10000000 \
    OMP_WAIT_POLICY=PASSIVE \
    Phoenix__DataRoot=/data \
    Phoenix__CheckpointRoot=/checkpoints \
    Phoenix__Training__CliPath=/app/phoenix-slt.dll
WORKDIR /app
COPY --from=publish-cpu /app/ /app/
# /data holds the datasets and the portal's database (/data/phoenix.db); /checkpoints the runs and checkpoints.
VOLUME ["/data", "/checkpoints"]
EXPOSE 8080
USER 1654:1654
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD curl -fsS http://localhost:8080/health || exit 1
ENTRYPOINT ["dotnet", "/app/PhoenixSlt.Web.dll"]
