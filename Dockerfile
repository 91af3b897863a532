# Multi-stage publish. No Docker engine runs on our build machines: CI runs this file's restore and
# publish commands directly (.ci/run), so keep every build step a plain dotnet command.
FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY global.json Directory.Build.props Directory.Packages.props B2BKpiApi.sln ./
COPY src/B2BKpiApi.Metrics/B2BKpiApi.Metrics.csproj src/B2BKpiApi.Metrics/
COPY src/B2BKpiApi/B2BKpiApi.csproj src/B2BKpiApi/
RUN dotnet restore src/B2BKpiApi/B2BKpiApi.csproj
COPY src/ src/
RUN dotnet publish src/B2BKpiApi/B2BKpiApi.csproj -c Release --no-restore -o /app

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
WORKDIR /app
COPY --from=build /app ./
# The embedded SQLite default writes to /app/data: mount a volume there to keep data across containers.
RUN mkdir -p /app/data && chown -R $APP_UID /app/data
USER $APP_UID
ENV ASPNETCORE_HTTP_PORTS=8080 \
    ConnectionStrings__Kpi="Data Source=/app/data/kpi.db"
EXPOSE 8080
VOLUME ["/app/data"]
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
    CMD ["dotnet", "B2BKpiApi.dll", "--health-probe", "http://127.0.0.1:8080/health/live"]
ENTRYPOINT ["dotnet", "B2BKpiApi.dll"]
