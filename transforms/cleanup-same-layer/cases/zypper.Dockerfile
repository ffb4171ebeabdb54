FROM opensuse/leap:15.6
RUN zypper --non-interactive refresh && zypper --non-interactive install -y curl
RUN zypper -n in git && zypper cc -a
