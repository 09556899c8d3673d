/** Vite bundles imported stylesheets; the type checker only needs to know the import is valid. */
declare module '*.css'
