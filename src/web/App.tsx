/**
 * Every page of the web app and where it lives. Pages before sign-in
 * stand alone; signed-in pages share the layout with the menu.
 */
import { createBrowserRouter, Navigate } from 'react-router';
import { RouterProvider } from 'react-router/dom';
import { setApiNavigator } from './api.ts';
import { KeyedByHash } from './components/KeyedByHash.tsx';
import { RequireAdministrator } from './components/RequireAdministrator.tsx';
import { SignedInLayout } from './components/SignedInLayout.tsx';
import { AccountPage } from './pages/account/AccountPage.tsx';
import { ForgotPasswordPage } from './pages/ForgotPasswordPage.tsx';
import { HomePage } from './pages/HomePage.tsx';
import { InvitationPage } from './pages/InvitationPage.tsx';
import { MailboxPage } from './pages/MailboxPage.tsx';
import { NotFoundPage } from './pages/NotFoundPage.tsx';
import { PersonalisePasswordPage } from './pages/PersonalisePasswordPage.tsx';
import { ResetPasswordPage } from './pages/ResetPasswordPage.tsx';
import { SecurityCodePage } from './pages/SecurityCodePage.tsx';
import { SecurityLogPage } from './pages/security-log/SecurityLogPage.tsx';
import { SetupPage } from './pages/SetupPage.tsx';
import { SignInPage } from './pages/SignInPage.tsx';
import { UserFormRoute } from './pages/users/UserFormPage.tsx';
import { SecuritySettingsPage } from './pages/settings/SecuritySettingsPage.tsx';
import { UsersPage } from './pages/users/UsersPage.tsx';

const router = createBrowserRouter([
  { path: '/sign-in', element: <SignInPage /> },
  { path: '/sign-in/code', element: <SecurityCodePage /> },
  {
    path: '/invitation',
    element: <KeyedByHash><InvitationPage /></KeyedByHash>,
  },
  { path: '/personalise-password', element: <PersonalisePasswordPage /> },
  { path: '/forgot-password', element: <ForgotPasswordPage /> },
  {
    path: '/reset-password',
    element: <KeyedByHash><ResetPasswordPage /></KeyedByHash>,
  },
  {
    path: '/setup',
    element: <KeyedByHash><SetupPage /></KeyedByHash>,
  },
  { path: '/mailbox', element: <MailboxPage /> },
  {
    element: <SignedInLayout />,
    children: [
      { path: '/', element: <HomePage /> },
      { path: '/account', element: <AccountPage /> },
      {
        path: '/settings',
        element: <RequireAdministrator />,
        children: [
          { index: true, element: <Navigate to="/settings/users" replace /> },
          { path: 'users', element: <UsersPage /> },
          { path: 'users/new', element: <UserFormRoute /> },
          { path: 'users/:id', element: <UserFormRoute /> },
          { path: 'security-log', element: <SecurityLogPage /> },
          { path: 'security', element: <SecuritySettingsPage /> },
        ],
      },
    ],
  },
  { path: '*', element: <NotFoundPage /> },
]);

// The API client sends people to the step the server says they owe.
setApiNavigator((path, options) => {
  void router.navigate(path, options);
});

/** The whole web app, routed. */
export function App() {
  return <RouterProvider router={router} />;
}
