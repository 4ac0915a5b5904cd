# One image for both roles: `bot` (Slack's endpoints) and `worker` (the Temporal worker), chosen by the args.
# Build: docker build -t <registry>/specific-jobs-bot:<version> .   (no Docker engine on the dev machines: not built in CI)
# The tag is the release: Version in Directory.Build.props, which /healthz shows (CHANGELOG.md says what each holds).

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so a source change does not re-download packages.
COPY global.json Directory.Build.props Directory.Packages.props ./
COPY src/Specific.Slack/Specific.Slack.csproj src/Specific.Slack/
COPY src/Specific.Jobs/Specific.Jobs.csproj src/Specific.Jobs/
COPY src/Specific.JobsBot/Specific.JobsBot.csproj src/Specific.JobsBot/
# /p:Sandbox=false: no --sandbox in the image, so none of the stand-ins, the simulator or their packages (README, Deploy).
RUN dotnet restore src/Specific.JobsBot/Specific.JobsBot.csproj /p:Sandbox=false
COPY src/ src/
RUN dotnet publish src/Specific.JobsBot/Specific.JobsBot.csproj -c Release --no-restore -o /app /p:UseAppHost=false /p:Sandbox=false

# Ubuntu Chiseled: no shell, no package manager, non-root by default; small and with little to patch.
FROM mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled AS runtime
WORKDIR /app
COPY --from=build /app .
# 1654 is the `app` user the .NET images ship; numeric so runAsNonRoot can verify it.
USER 1654
ENV Bot__Url=http://0.0.0.0:8080
EXPOSE 8080
ENTRYPOINT ["dotnet", "Specific.JobsBot.dll"]
CMD ["bot"]
