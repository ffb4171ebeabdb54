# Windows images run shell-form RUNs with `cmd /S /C` when no SHELL is set:
# `( )` is not a subshell there, so these RUNs are not merged.
FROM mcr.microsoft.com/windows/servercore:ltsc2022
RUN mkdir C:\\app
RUN cd C:\\app
RUN echo hi > out.txt
