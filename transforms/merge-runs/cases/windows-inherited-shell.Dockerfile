# A stage built FROM an earlier stage keeps its SHELL: PowerShell 5.1 has
# no `&&`, so these RUNs are not merged.
FROM mcr.microsoft.com/windows/servercore:ltsc2022 AS base
SHELL ["powershell", "-Command"]

FROM base
RUN New-Item -ItemType Directory C:\\app
RUN New-Item -ItemType File C:\\app\\x.txt
