FROM fedora:39
USER dev
RUN sudo dnf install -y git
