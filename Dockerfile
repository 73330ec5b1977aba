# Build: restore and publish the web host only (tests are not part of the image).
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /source
# The web page's library comes from npm during the build (npm ci, then a copy into wwwroot/lib).
RUN apt-get update \
    && apt-get install -y --no-install-recommends nodejs npm \
    && rm -rf /var/lib/apt/lists/*
COPY Directory.Build.props Directory.Packages.props ./
COPY src/CoachService.Core/CoachService.Core.csproj src/CoachService.Core/
COPY src/CoachService.Api/CoachService.Api.csproj src/CoachService.Api/package.json src/CoachService.Api/package-lock.json src/CoachService.Api/.npmrc src/CoachService.Api/
RUN dotnet restore src/CoachService.Api/CoachService.Api.csproj \
    && cd src/CoachService.Api && npm ci --no-audit --no-fund
COPY src/ src/
COPY prompts/ prompts/
RUN dotnet publish src/CoachService.Api/CoachService.Api.csproj -c Release -o /app --no-restore /p:UseAppHost=false

# Run: the ASP.NET Core runtime image, as its non-root 'app' user.
FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app .
ENV ASPNETCORE_URLS=http://+:8080 \
    ASPNETCORE_ENVIRONMENT=Production
EXPOSE 8080
# The key ring's folder (docker-compose mounts a volume here): a new volume takes this owner and mode.
RUN mkdir -p /keys && chown $APP_UID /keys && chmod 700 /keys
USER $APP_UID
ENTRYPOINT ["dotnet", "CoachService.Api.dll"]
