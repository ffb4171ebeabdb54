# A login shell reads /etc/profile and ~/.profile (and bash ~/.bashrc when
# interactive) at the start of every RUN; `conda init` and the nvm and
# rustup installers write there for the next RUN to read. Merged, the
# shell that runs `conda activate` would have read them before.
FROM continuumio/miniconda3
SHELL ["/bin/bash", "--login", "-c"]
RUN conda create -n app python=3.11
RUN conda init bash
RUN conda activate app && python --version

FROM debian:bookworm-slim AS clustered
SHELL ["/bin/bash", "-lc"]
RUN curl -o- https://example.com/nvm/install.sh | bash
RUN nvm install 20

# Option words that only look alike are not login shells.
FROM debian:bookworm-slim AS pipefail
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN echo a
RUN echo b
