import { type RouteConfig, index, route } from "@react-router/dev/routes";

export default [
  index("routes/home.tsx"),
  route("auth/demo", "routes/auth.demo.ts"),
  route("auth/logout", "routes/auth.logout.ts"),
  route("auth/login", "routes/auth.login.ts"),
  route("auth/callback", "routes/auth.callback.tsx"),
] satisfies RouteConfig;
